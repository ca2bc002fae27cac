"""Projects: one engine `Project` per workspace folder (a file outside every folder gets its own project root),
their settings from pyproject.toml plus the editor's flat settings object.

Everything that builds or touches a Project runs on the analysis thread (see scheduler.py); the settings
are computed where they are asked for and cached per root.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..config import ConfigError, Settings, find_project_root, load_settings
from ..engine import Project, ProjectOptions

log = logging.getLogger(__name__)

EDITOR_KEYS = ("python", "debounce", "collection", "select", "ignore", "severity", "roots", "trusted",
               "exclude", "known-first-party", "collection-timeout")
# Settings that only steer the server: changing them needs no new Project.
_SERVER_ONLY = ("debounce_ms", "collection", "collection_timeout", "trusted")


def editor_settings(raw: Any) -> dict[str, Any]:
    """The flat settings object out of initializationOptions / didChangeConfiguration params.

    Accepts `{...}`, `{"importsense": {...}}` and `{"settings": ...}` (either shape inside); keys the
    server does not know are dropped, and so are null values (they mean "not given").
    """
    if hasattr(raw, "__attrs_attrs__"):  # lsprotocol objects: take their settings field
        raw = getattr(raw, "settings", None)
    if not isinstance(raw, Mapping):
        return {}
    if isinstance(raw.get("settings"), Mapping) and not any(k in raw for k in EDITOR_KEYS):
        raw = raw["settings"]
    if isinstance(raw.get("importsense"), Mapping):
        raw = raw["importsense"]
    result: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or value is None:
            continue
        if key.replace("_", "-") in EDITOR_KEYS or key in ("knownFirstParty", "collectionTimeout"):
            result[key] = value
    if "knownFirstParty" in result:
        result["known-first-party"] = result.pop("knownFirstParty")
    if "collectionTimeout" in result:
        result["collection-timeout"] = result.pop("collectionTimeout")
    return result


def _project_of_folder(folder: Path) -> Path:
    from ..config import ROOT_MARKERS

    if any((folder / marker).exists() for marker in ROOT_MARKERS):
        return folder
    root = find_project_root(folder)
    if root != folder and root not in (Path(root.anchor), Path.home().resolve()):
        return root
    return folder


def _library_path(path: Path) -> bool:
    """Installed code (site-packages, the interpreter's own library) is not a project to index."""
    parts = set(path.parts)
    if "site-packages" in parts or "dist-packages" in parts:
        return True
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        library = Path(prefix) / "lib"
        if library in path.parents:
            return True
    return False


@dataclass
class ProjectEntry:
    project: Project
    indexed: bool = False
    indexing: bool = False


class Projects:
    """The projects of one editor session."""

    def __init__(self, report_problem: Callable[[str], None]) -> None:
        self._report_problem = report_problem  # window/showMessage (error) for settings problems
        self.folders: list[Path] = []
        self.editor: dict[str, Any] = {}
        self._settings: dict[Path, Settings] = {}
        self._entries: dict[Path, ProjectEntry] = {}
        self._reported: set[str] = set()
        self._lock = threading.Lock()

    # ---- folders and settings ------------------------------------------------
    def set_folders(self, folders: list[Path]) -> None:
        """Each folder's project is the folder, or the project above it when the editor opened a subfolder
        (Eglot and others use the nearest VCS root): `tests/integration` belongs to the project holding pyproject.toml."""
        self.folders = sorted({_project_of_folder(f.resolve()) for f in folders}, key=lambda p: (-len(p.parts), str(p)))

    def set_editor_settings(self, settings: dict[str, Any]) -> None:
        self.editor = dict(settings)
        self._settings.clear()
        self._reported.clear()

    def root_for(self, path: Path) -> Path | None:
        """The workspace folder holding `path` (the deepest), else its own project root; None for library code."""
        for folder in self.folders:  # deepest first
            if folder == path or folder in path.parents:
                return folder
        if _library_path(path):
            return None
        root = find_project_root(path)
        home = Path.home().resolve()
        if root in (Path(root.anchor), home):
            root = path.parent
        return root

    def settings_for(self, root: Path) -> Settings:
        """Settings for `root`: pyproject.toml, then the editor's where given; problems are shown, never raised."""
        with self._lock:
            cached = self._settings.get(root)
            if cached is not None:
                return cached
            try:
                settings = load_settings(root, self.editor)
            except ConfigError as error:
                self._problem(f"importsense: {error}; using the settings from pyproject.toml")
                try:
                    settings = load_settings(root)
                except ConfigError as inner:
                    self._problem(f"importsense: {inner}; using the defaults")
                    settings = Settings(root=root.resolve())
            self._settings[root] = settings
            return settings

    def _problem(self, message: str) -> None:
        if message not in self._reported:
            self._reported.add(message)
            log.error("%s", message)
            self._report_problem(message)

    def debounce_ms(self, path: Path | None) -> int:
        root = self.root_for(path) if path is not None else None
        if root is None:
            return Settings(root=Path("/")).debounce_ms if "debounce" not in self.editor else _int(self.editor)
        return self.settings_for(root).debounce_ms

    # ---- projects (analysis thread) -----------------------------------------------
    def project_for(self, path: Path) -> Project | None:
        root = self.root_for(path)
        if root is None:
            return None
        return self.project_at(root)

    def project_at(self, root: Path) -> Project:
        entry = self._entries.get(root)
        if entry is None:
            settings = self.settings_for(root)
            started = time.perf_counter()
            project = Project(settings, ProjectOptions(lazy_stats=True, long_lived=True))
            log.debug("project %s: %d files, built in %.0f ms", root, len(project.files),
                      (time.perf_counter() - started) * 1000)
            for problem in project.problems[:5]:
                log.warning("%s: %s", root, problem)
            entry = ProjectEntry(project)
            self._entries[root] = entry
        return entry.project

    def entry(self, root: Path) -> ProjectEntry | None:
        return self._entries.get(root)

    def entries(self) -> list[tuple[Path, ProjectEntry]]:
        return list(self._entries.items())

    def drop(self, root: Path) -> None:
        self._entries.pop(root, None)
        self._settings.pop(root, None)

    def stale_roots(self) -> list[Path]:
        """Projects whose settings changed in a way the engine sees (they must be rebuilt)."""
        stale = []
        for root, entry in list(self._entries.items()):
            self._settings.pop(root, None)
            fresh = self.settings_for(root)
            if _engine_view(fresh) != _engine_view(entry.project.settings):
                stale.append(root)
            else:
                entry.project.settings = fresh  # server-only settings (debounce, collection) apply at once
        return stale

    def forget_settings(self, root: Path | None = None) -> None:
        if root is None:
            self._settings.clear()
        else:
            self._settings.pop(root, None)
        self._reported.clear()

    @property
    def indexing(self) -> bool:
        return any(entry.indexing for entry in self._entries.values())


def _engine_view(settings: Settings) -> Settings:
    return replace(settings, **{name: getattr(Settings(root=settings.root), name) for name in _SERVER_ONLY})


def _int(editor: Mapping[str, Any]) -> int:
    value = editor.get("debounce")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return int(value)
    return 100
