"""Which test files a change can affect, so only those are collected again."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from importsense.collection.config import CONFIG_NAMES

ALL = None  # "re-collect everything"


def affected_test_files(
    changed: Iterable[Path],
    test_files: Sequence[Path],
    *,
    importers_of: Callable[[Path], Iterable[Path]] | None = None,
) -> list[Path] | None:
    """Test files to collect again after `changed` files changed; None means all of them.

    A test file affects itself; a conftest.py every test file below it; a
    pytest configuration file everything; any other Python module the test
    files that import it, directly or not (`importers_of(module)` gives the
    files importing a module: the core engine's reverse-import index). Without
    `importers_of`, a changed module conservatively affects everything.
    """
    tests = {Path(os.path.abspath(p)) for p in test_files}
    affected: set[Path] = set()
    for raw in changed:
        path = Path(os.path.abspath(raw))
        if path.name in CONFIG_NAMES:
            return ALL
        if path.suffix != ".py":
            continue
        if path in tests:
            affected.add(path)
            continue
        if path.name == "conftest.py":
            directory = path.parent
            affected.update(t for t in tests if directory in t.parents)
            continue
        if importers_of is None:
            return ALL
        affected.update(_importers_closure(path, importers_of) & tests)
    return sorted(affected)


def _importers_closure(module: Path, importers_of: Callable[[Path], Iterable[Path]]) -> set[Path]:
    seen: set[Path] = set()
    queue = deque([module])
    while queue:
        current = queue.popleft()
        for importer in importers_of(current):
            importer = Path(os.path.abspath(importer))
            if importer not in seen:
                seen.add(importer)
                queue.append(importer)
    return seen
