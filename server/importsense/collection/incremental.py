"""Which test files a change can affect, so only those are collected again."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from importsense.collection.config import CONFIG_NAMES
from importsense.collection.discovery import is_test_file
from importsense.collection.results import CancelToken, CollectionResult, merge_results


class Collector(Protocol):
    """Anything that collects a list of files: a WarmCollector, or a wrapper around `collect`."""

    def collect(
        self, files: Sequence[Path] | None, timeout: float = 60.0, cancel: CancelToken | None = None
    ) -> CollectionResult: ...

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


def recollect(
    collector: Collector,
    previous: CollectionResult,
    changed: Iterable[Path],
    *,
    importers_of: Callable[[Path], Iterable[Path]] | None = None,
    timeout: float = 60.0,
    cancel: CancelToken | None = None,
) -> CollectionResult:
    """`previous` brought up to date after `changed` files changed, collecting only the affected test files.

    New test files among `changed` are collected too (when the collector has a
    `config` to tell test files from the rest); deleted ones drop out; a
    cancelled run leaves `previous` as it was (marked cancelled). Everything is
    collected again when the change can affect everything (a pytest
    configuration file, or a module while `importers_of` is unknown).
    """
    changed = [Path(os.path.abspath(p)) for p in changed]
    known = [f.path for f in previous.files]
    config = getattr(collector, "config", None)
    new = [p for p in changed if p not in known and p.exists() and config is not None and is_test_file(p, config)]
    candidates = known + new
    targets = affected_test_files(changed, candidates, importers_of=importers_of)
    if targets is None:
        fresh = collector.collect(None, timeout, cancel)
        if fresh.cancelled:
            return CollectionResult(list(previous.files), previous.mode, fresh.duration, True, list(fresh.problems))
        return fresh
    gone = {p for p in targets if not p.exists()}
    present = [p for p in targets if p not in gone]
    base = CollectionResult([f for f in previous.files if f.path not in gone], previous.mode, previous.duration)
    if not present:
        return base
    fresh = collector.collect(present, timeout, cancel)
    if fresh.cancelled:
        base.cancelled = True
        base.problems = list(fresh.problems)
        return base
    return merge_results(base, fresh)
