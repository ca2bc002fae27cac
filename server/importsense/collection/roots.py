"""Group collection failures by the first-party import or statement that actually fails, and rank them."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from importsense.collection.results import CollectionError, CollectionResult, RootCause
from importsense.model import display_path


def group_root_causes(result: CollectionResult, root: Path, *, source_roots: Sequence[Path] = ()) -> list[RootCause]:
    """Root causes ranked by how many test files each blocks (then by path and line).

    A failure inside another first-party module (or a conftest.py) is grouped
    under that module's failing line; a failure in the test file itself is its
    own root. `source_roots` (default: the root and root/src) help explain a
    ModuleNotFoundError that is only a case mismatch.
    """
    root = Path(os.path.abspath(root))
    groups: dict[tuple[Path, int | None], list[Path]] = defaultdict(list)
    errors: dict[tuple[Path, int | None], CollectionError] = {}
    for status in result.files:
        error = status.error
        if status.status != "error" or error is None:
            continue
        if error.root_path is not None:
            key = (error.root_path, error.root_line)
        else:
            key = (status.path, error.line)
        groups[key].append(status.path)
        errors.setdefault(key, error)
    search = list(source_roots) or [root, root / "src"]
    causes = [
        RootCause(path=path, line=line, message=explain(errors[(path, line)], search, root), blocked_files=tuple(sorted(files)))
        for (path, line), files in groups.items()
    ]
    causes.sort(key=lambda c: (-len(c.blocked_files), str(c.path), c.line or 0))
    return causes


def explain(error: CollectionError, source_roots: Sequence[Path], root: Path) -> str:
    """One line saying what fails: `imports `a.b`, but the file is `B.py`` when that is the story."""
    if error.type == "ModuleNotFoundError" and error.module:
        local = _local_package(error.module, source_roots)
        found = _case_mismatch(error.module, source_roots) if local is None else None
        if found is not None:
            return f"imports `{error.module}`, but the file is `{found.name}` ({display_path(found, root)})"
        if local is not None:
            return (
                f"imports `{error.module}`: {display_path(local, root)} is in the project but not importable "
                "under pytest (set `pythonpath` in the pytest configuration, or install the project)"
            )
        return f"imports `{error.module}`, which is not installed or does not exist"
    return f"{error.type}: {error.message}" if error.message else error.type


def _local_package(module: str, source_roots: Sequence[Path]) -> Path | None:
    """The project file or package that `module` names exactly (same letter case), if there is one."""
    parts = module.split(".")
    for base in source_roots:
        current = base
        for index, part in enumerate(parts):
            names = _listdir(current)
            last = index == len(parts) - 1
            if part in names and (current / part).is_dir():
                current = current / part
            elif last and f"{part}.py" in names:
                current = current / f"{part}.py"
            else:
                break
        else:
            return current
    return None


def _listdir(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


def _case_mismatch(module: str, source_roots: Sequence[Path]) -> Path | None:
    """The file or package that `module` names but for letter case, under one of `source_roots`."""
    parts = module.split(".")
    for base in source_roots:
        current = base
        mismatched = False
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            candidates = [part, f"{part}.py"] if last else [part]
            match = _find_entry(current, candidates)
            if match is None:
                break
            if match.name not in candidates:
                mismatched = True
            current = match
            if last and mismatched:
                return current
        else:
            continue
    return None


def _find_entry(directory: Path, names: Sequence[str]) -> Path | None:
    try:
        entries = os.listdir(directory)
    except OSError:
        return None
    for name in names:  # exact first
        if name in entries:
            return directory / name
    lowered = {n.lower() for n in names}
    for entry in sorted(entries):
        if entry.lower() in lowered:
            return directory / entry
    return None
