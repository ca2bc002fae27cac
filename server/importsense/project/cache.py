"""The persistent summary cache: one marshal file per project, outside the source tree, keyed by path, size, mtime and hash."""

from __future__ import annotations

import hashlib
import os
import marshal
import pickle
import tempfile
from pathlib import Path

from .sources import SummaryEntry

FORMAT = 6  # bump when FileSummary changes shape


def default_cache_dir() -> Path:
    configured = os.environ.get("IMPORTSENSE_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "importsense"


def cache_file_for(root: Path, cache_dir: Path) -> Path:
    key = hashlib.sha1(str(root).encode()).hexdigest()[:16]
    return cache_dir / f"summaries-{key}.marshal"


def load_cache(root: Path, cache_dir: Path) -> dict[str, SummaryEntry]:
    path = cache_file_for(root, cache_dir)
    try:
        with open(path, "rb") as handle:
            payload = marshal.load(handle)
    except (OSError, EOFError, TypeError, ValueError):
        return {}
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("root") != str(root):
        return {}
    entries = payload.get("entries")
    if not isinstance(entries, dict):
        return {}
    try:
        return {path: SummaryEntry.from_record(record) for path, record in entries.items()}
    except (TypeError, ValueError):
        return {}


def save_cache(root: Path, cache_dir: Path, entries: dict[str, SummaryEntry]) -> None:
    """Write atomically; a failure to write the cache is never an error for the run."""
    path = cache_file_for(root, cache_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=cache_dir, prefix=".summaries-")
        with os.fdopen(fd, "wb") as handle:
            records = {path: entry.to_record() for path, entry in entries.items()}
            marshal.dump({"format": FORMAT, "root": str(root), "entries": records}, handle)
        os.replace(temp, path)
    except OSError:
        pass


class FindingsCache:
    """Findings per file, reused while the file and every file its check consulted are unchanged.

    The whole cache is dropped when anything structural changes: the set of first-party files, the
    settings, the target interpreter or its sys.path directories, or importsense itself.
    """

    def __init__(self, project) -> None:
        self.project = project
        self.path = project.cache_dir / f"findings-{hashlib.sha1(str(project.root).encode()).hexdigest()[:16]}.pickle"
        self.key = self._structural_key()
        self.entries: dict[str, tuple] = {}
        self.fixes: dict[tuple, object] = {}
        self.dirty = False
        self._stats: dict[Path, tuple[int, int] | None] = {}

    def _structural_key(self) -> str:
        from .. import __version__

        project = self.project
        settings = project.settings
        env = project.environment
        digest = hashlib.sha1()
        for part in (
            __version__, str(FORMAT), str(settings.roots), str(settings.exclude), str(settings.select),
            str(settings.ignore), str(sorted((k, v.value) for k, v in settings.severity.items())),
            str(settings.known_first_party), env.python, str(env.sys_path), str(env.problem),
            str(project.index.roots),
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        for directory in env.sys_path:
            try:
                digest.update(str(os.stat(directory).st_mtime_ns).encode())
            except OSError:
                digest.update(b"-")
        for path in sorted(project.file_stats):
            digest.update(str(path).encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def stat(self, path: Path) -> tuple[int, int] | None:
        known = self.project.file_stats.get(path)
        if known is not None:
            return known
        if path not in self._stats:
            try:
                info = os.stat(path)
                self._stats[path] = (info.st_size, info.st_mtime_ns)
            except OSError:
                self._stats[path] = None
        return self._stats[path]

    def load(self) -> dict:
        """{path: findings} for every cached file whose inputs are unchanged."""
        try:
            with open(self.path, "rb") as handle:
                payload = pickle.load(handle)
        except Exception:  # a damaged or foreign cache is just a cold start
            return {}
        if not isinstance(payload, dict) or payload.get("key") != self.key:
            return {}
        self.entries = payload.get("entries", {})
        self.fixes = payload.get("fixes", {})
        overlays = self.project.index._overlays
        by_name = {str(path): stat for path, stat in self.project.file_stats.items()}
        missing = object()

        def stat_of(name: str):
            known = by_name.get(name, missing)
            if known is missing:
                known = self.stat(Path(name))
                by_name[name] = known
            return known

        fresh = {}
        for key, (stat, deps, findings) in self.entries.items():
            if stat_of(key) != stat:
                continue
            path = Path(key)
            if path in overlays:
                continue
            if all(stat_of(dep) == dep_stat for dep, dep_stat in deps):
                fresh[path] = findings
        return fresh

    def store(self, path: Path, findings: list, deps: set[Path]) -> None:
        if path in self.project.index._overlays:
            return
        stat = self.stat(path)
        if stat is None:
            return
        dep_stats = tuple((str(dep), self.stat(dep)) for dep in sorted(deps) if dep not in self.project.index._overlays)
        self.entries[str(path)] = (stat, dep_stats, findings)
        for finding in findings:
            self.fixes.pop(self._fix_key(finding), None)
        self.dirty = True

    def _fix_key(self, finding) -> tuple:
        return (str(finding.path), finding.span, finding.rule, finding.message)

    def fix_for(self, finding) -> tuple[bool, object]:
        key = self._fix_key(finding)
        if key in self.fixes:
            return True, self.fixes[key]
        return False, None

    def remember_fix(self, finding, fix) -> None:
        self.fixes[self._fix_key(finding)] = fix
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".findings-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump({"key": self.key, "entries": self.entries, "fixes": self.fixes}, handle,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, self.path)
            self.dirty = False
        except OSError:
            pass
