"""Find the test files pytest would collect, without importing anything: testpaths, python_files, ignores."""

from __future__ import annotations

import ast
import fnmatch
import glob
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path, PurePath

from importsense.collection.config import PytestConfig


def fnmatch_ex(pattern: str, path: str | PurePath) -> bool:
    """pytest's path glob: basename match unless the pattern holds a separator."""
    pure = PurePath(path)
    if os.sep not in pattern and "/" not in pattern:
        name = pure.name
    else:
        pattern = pattern.replace("/", os.sep)
        name = str(pure)
        if pure.is_absolute() and not os.path.isabs(pattern):
            pattern = f"*{os.sep}{pattern}"
    return fnmatch.fnmatch(name, pattern)


def is_test_file(path: Path, config: PytestConfig) -> bool:
    """True when a `.py` file matches `python_files` (pytest collects explicit paths regardless)."""
    return path.suffix == ".py" and any(fnmatch_ex(pattern, path) for pattern in config.python_files)


def default_targets(root: Path, config: PytestConfig) -> list[Path]:
    """What pytest collects when run in `root` with no arguments: testpaths (globbed) or `root` itself."""
    root = Path(os.path.abspath(root))
    if config.testpaths and config.rootdir == root:
        found: list[Path] = []
        for pattern in config.testpaths:
            found.extend(Path(p) for p in sorted(glob.iglob(os.path.join(str(root), pattern), recursive=True)))
        if found:
            return [Path(os.path.abspath(p)) for p in found]
    return [root]


def discover_test_files(root: Path, config: PytestConfig, paths: Sequence[Path] | None = None) -> list[Path]:
    """Test files under `paths` (default: testpaths or `root`) in pytest's order, absolute, no duplicates."""
    root = Path(os.path.abspath(root))
    targets = [Path(os.path.abspath(root / p)) for p in paths] if paths else default_targets(root, config)
    walker = _Walker(config, targets)
    result: list[Path] = []
    seen: set[Path] = set()
    for target in targets:
        if target.is_file():
            found = [target] if target.suffix == ".py" else []
        elif target.is_dir():
            found = walker.walk(target)
        else:
            found = []
        for path in found:
            if path not in seen:
                seen.add(path)
                result.append(path)
    return result


class _Walker:
    """Directory recursion with pytest's ignore rules (pytest_ignore_collect)."""

    def __init__(self, config: PytestConfig, initial: Sequence[Path]) -> None:
        self.config = config
        self.initial = set(initial)
        self.initial_with_parents = set(initial)
        for path in initial:
            self.initial_with_parents.update(path.parents)
        self.visited: set[str] = set()

    def walk(self, directory: Path) -> list[Path]:
        real = os.path.realpath(directory)
        if real in self.visited:
            return []
        self.visited.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return []
        found: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                if path not in self.initial_with_parents and self.ignored(path, is_dir=True):
                    continue
                found.extend(self.walk(path))
            elif is_file:
                if path not in self.initial and self.ignored(path, is_dir=False):
                    continue
                if path in self.initial or is_test_file(path, self.config):
                    found.append(path)
        return found

    def ignored(self, path: Path, *, is_dir: bool) -> bool:
        config = self.config
        if path.name == "__pycache__":
            return True
        ignore_paths, ignore_globs = _conftest_ignores(path.parent, config)
        if path in ignore_paths or path in config.ignore:
            return True
        text = str(path)
        if any(fnmatch.fnmatch(text, pattern) for pattern in (*ignore_globs, *config.ignore_glob)):
            return True
        if is_dir:
            if not config.collect_in_virtualenv and _is_virtualenv(path):
                return True
            if any(fnmatch_ex(pattern, path) for pattern in config.norecursedirs):
                return True
        return False


def _is_virtualenv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file() or (path / "conda-meta" / "history").is_file()


def _conftest_ignores(directory: Path, config: PytestConfig) -> tuple[set[Path], list[str]]:
    """`collect_ignore` / `collect_ignore_glob` from the nearest conftest.py that defines each."""
    if config.noconftest:
        return set(), []
    paths: set[Path] | None = None
    globs: list[str] | None = None
    cutoff = config.conftest_cutoff
    for base in (directory, *directory.parents):
        if base != cutoff and cutoff not in base.parents:
            break
        values = _conftest_ignore_values(base / "conftest.py")
        if values is not None:
            names, patterns = values
            if paths is None and names is not None:
                paths = {Path(os.path.normpath(base / n)) for n in names}
            if globs is None and patterns is not None:
                globs = [os.path.normpath(os.path.join(str(base), p)) for p in patterns]
        if paths is not None and globs is not None:
            break
    return paths or set(), globs or []


def _conftest_ignore_values(conftest: Path) -> tuple[list[str] | None, list[str] | None] | None:
    try:
        stat = conftest.stat()
    except OSError:
        return None
    return _read_conftest_ignores(str(conftest), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _read_conftest_ignores(path: str, _mtime: int, _size: int) -> tuple[list[str] | None, list[str] | None]:
    try:
        tree = ast.parse(Path(path).read_bytes(), path)
    except (OSError, SyntaxError, ValueError):
        return None, None
    values: dict[str, list[str]] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        elif (isinstance(node, ast.AnnAssign) and node.value is not None) or (
            isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add)
        ):
            targets.append(node.target)
            value = node.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id in ("collect_ignore", "collect_ignore_glob"):
                items = _literal_strings(value)
                if items is not None:
                    if isinstance(node, ast.AugAssign):
                        values.setdefault(target.id, []).extend(items)
                    else:
                        values[target.id] = items
        # `collect_ignore.append("x")` / `.extend([...])`
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in values
                and func.attr in ("append", "extend")
                and node.value.args
            ):
                arg = node.value.args[0]
                items = [arg.value] if func.attr == "append" and isinstance(arg, ast.Constant) and isinstance(arg.value, str) else _literal_strings(arg)
                if items:
                    values[func.value.id].extend(items)
    return values.get("collect_ignore"), values.get("collect_ignore_glob")


def _literal_strings(node: ast.expr | None) -> list[str] | None:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        return items
    return None
