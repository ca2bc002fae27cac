"""Source roots: configured, src/, setuptools packages.find, pytest pythonpath, and pytest's rootdir-relative test dirs."""

from __future__ import annotations

import configparser
import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..config import Settings

SKIP_DIRS = {
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", "__pycache__", "node_modules",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist", ".eggs", "site-packages", ".idea", ".vscode",
}
MAX_FILE_BYTES = 5 * 1024 * 1024  # larger .py files are reported, not analysed


@dataclass(frozen=True)
class SourceFile:
    """A discovered .py / .pyi file with the stat data the cache keys on (-1 when not stat'ed yet)."""

    path: Path
    size: int
    mtime_ns: int


@dataclass
class Discovery:
    """The first-party files of a project and what could not be read."""

    files: list[SourceFile]
    problems: list[str]
    package_dirs: frozenset[str] | None = None  # directories (as strings) holding an __init__.py


def is_excluded(path: Path, root: Path, patterns: Iterable[str]) -> bool:
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        return False
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern + "/*") or relative.startswith(
            pattern + "/"
        ):
            return True
        if "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in relative.split("/")):
            return True
    return False


def walk_python_files(root: Path, exclude: Iterable[str] = (), with_stats: bool = True) -> Discovery:
    """Every .py/.pyi file below root, skipping virtualenvs, caches, excluded globs and symlink loops.

    Directories first-to-last in name order, a directory's files before its subdirectories' (the
    order `os.walk` gives); strings and `os.scandir` throughout, because a warm run is mostly this walk.
    """
    exclude = tuple(exclude)
    files: list[SourceFile] = []
    problems: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()
    package_dirs: set[str] = set()
    child_of = getattr(Path, "_make_child_relpath", None)  # CPython's no-reparse child constructor, when present
    pending: list[str] = [str(root)]
    while pending:
        directory = pending.pop()
        try:
            info = os.stat(directory)
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=_entry_name)
        except OSError as error:
            problems.append(f"{error.filename or directory}: cannot read directory: {error.strerror}")
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:  # symlink loop or a directory reached twice
            problems.append(f"{directory}: skipped, already visited (symlink loop?)")
            continue
        seen_dirs.add(key)
        dir_path: Path | None = None  # built only when this directory holds Python files
        subdirectories: list[str] = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if name in SKIP_DIRS or name.endswith(".egg-info") or name.startswith("."):
                    continue
                child = entry.path
                if exclude and is_excluded(Path(child), root, exclude):
                    continue
                if os.path.exists(os.path.join(child, "pyvenv.cfg")):
                    continue
                subdirectories.append(child)
                continue
            if not (name.endswith(".py") or name.endswith(".pyi")):
                continue
            if name == "__init__.py":
                package_dirs.add(directory)
            if dir_path is None:
                dir_path = Path(directory)
            path = child_of(dir_path, name) if child_of is not None else dir_path / name
            if exclude and is_excluded(path, root, exclude):
                continue
            if not with_stats:
                files.append(SourceFile(path, -1, -1))  # stat later, when a cache needs it
                continue
            try:
                stat = entry.stat()
            except OSError as error:
                problems.append(f"{path}: cannot read: {error.strerror}")
                continue
            files.append(SourceFile(path, stat.st_size, stat.st_mtime_ns))
        pending.extend(reversed(subdirectories))
    return Discovery(files, problems, frozenset(package_dirs))


def _entry_name(entry: os.DirEntry) -> str:
    return entry.name


def infer_roots(settings: Settings, files: Iterable[SourceFile], package_dirs: frozenset[str] | None = None) -> list[Path]:
    """Source roots, most specific last is NOT assumed: callers pick the deepest root containing a file."""
    root = settings.root
    if settings.roots:
        roots = list(settings.roots)
    else:
        roots = [root]
        src = root / "src"
        if src.is_dir() and any(_holds_python(child) for child in src.iterdir()):
            roots.append(src)
        roots.extend(_setuptools_where(settings))
        roots.extend(_pytest_pythonpath(root, settings))
    roots.extend(_pytest_test_dirs(root, files, package_dirs))
    unique: list[Path] = []
    for candidate in roots:
        candidate = candidate.resolve() if candidate.exists() else candidate
        if candidate not in unique and candidate.is_dir():
            unique.append(candidate)
    return unique


def _holds_python(path: Path) -> bool:
    if path.is_dir():
        return (path / "__init__.py").exists() or any(p.suffix in (".py", ".pyi") for p in path.iterdir())
    return path.suffix == ".py"


def _setuptools_where(settings: Settings) -> Iterator[Path]:
    find = settings.pyproject.get("tool", {}).get("setuptools", {}).get("packages", {})
    if isinstance(find, dict):
        where = find.get("find", {}).get("where") if isinstance(find.get("find"), dict) else None
        if isinstance(where, str):
            where = [where]
        for entry in where or ():
            if isinstance(entry, str):
                yield settings.root / entry
    package_dir = settings.pyproject.get("tool", {}).get("setuptools", {}).get("package-dir", {})
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        yield settings.root / package_dir[""]


def _pytest_pythonpath(root: Path, settings: Settings) -> Iterator[Path]:
    options = settings.pyproject.get("tool", {}).get("pytest", {}).get("ini_options", {})
    value = options.get("pythonpath") if isinstance(options, dict) else None
    if value is None:
        for name, section in (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
            path = root / name
            if path.exists():
                parser = configparser.ConfigParser(interpolation=None)
                try:
                    parser.read(path, encoding="utf-8")
                except (configparser.Error, UnicodeDecodeError, OSError):
                    continue
                if parser.has_section(section) and parser.has_option(section, "pythonpath"):
                    value = parser.get(section, "pythonpath").split()
                    break
    if isinstance(value, str):
        value = value.split()
    for entry in value or ():
        if isinstance(entry, str):
            yield root / entry


def _pytest_test_dirs(root: Path, files: Iterable[SourceFile], package_dirs: frozenset[str] | None) -> Iterator[Path]:
    """Directories pytest's default import mode puts on sys.path: the first dir above a test file/conftest without __init__."""
    seen: set[str] = set()
    has_init: dict[str, bool] = {}
    top = str(root)
    below = top.rstrip(os.sep) + os.sep  # strings, not Path.parents: this runs for every test file

    def init_in(directory: str) -> bool:
        if package_dirs is not None and directory.startswith(below):
            return directory in package_dirs  # the walk saw every directory below the root
        known = has_init.get(directory)
        if known is None:
            known = has_init[directory] = os.path.exists(os.path.join(directory, "__init__.py"))
        return known

    for source in files:
        name = source.path.name
        if not name.endswith(".py"):
            continue  # pytest never imports stubs
        if not (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"):
            continue
        directory = os.path.dirname(str(source.path))
        while init_in(directory) and directory != top and directory.startswith(below):
            directory = os.path.dirname(directory)
        if directory not in seen:
            seen.add(directory)
            yield Path(directory)
