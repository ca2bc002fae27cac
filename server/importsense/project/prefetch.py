"""Guess, from a module's text before it is parsed, which files checking it will read, to summarise them meanwhile.

A first check of a module whose imports are not indexed yet parses every module it imports (66 files,
13,500 lines for the benchmark's 5,000-line module): about as long as parsing the module itself. A
line scan finds the imported names in ~1 ms, so the summary worker can parse those files while the
server parses the module. Only a hint: a file the scan misses is summarised on demand as before, and
one it wrongly includes costs a parse in the other process.
"""

from __future__ import annotations

import queue
import re
from pathlib import Path

from .index import ModuleIndex, Resolution
from .worker import SummaryWorker, lookup_entry

_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+\(?([^#\n]*)|import[ \t]+([^#\n]+))",
    re.MULTILINE,
)
MAX_CANDIDATES = 2000  # a generated file with thousands of imports: enough of them to help


def imported_names(text: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(level, dotted module, names imported from it) for each import line of `text`, without duplicates.

    `import a.b, c` gives (0, "a.b", ()) and (0, "c", ()); `from .pkg import x, y as z` gives
    (1, "pkg", ("x", "y")). Lines continued with parentheses or backslashes contribute their first
    line's names only.
    """
    seen: dict[tuple[int, str, tuple[str, ...]], None] = {}
    for match in _IMPORT_LINE.finditer(text):
        dots, module, names, plain = match.groups()
        if plain is not None:
            for part in plain.split(";")[0].split(","):
                name = part.split(" as ")[0].strip().rstrip("\\").strip()
                if _dotted(name):
                    seen[(0, name, ())] = None
        elif not module or _dotted(module):
            imported = tuple(name for name in (part.split(" as ")[0].strip() for part in
                                               names.split(";")[0].replace(")", ",").replace("\\", ",").split(","))
                             if name.isidentifier())
            seen[(len(dots), module, imported)] = None
        if len(seen) >= MAX_CANDIDATES:
            break
    return list(seen)


def files_to_prefetch(index: ModuleIndex, path: Path, text: str) -> list[Path]:
    """The source files the imports of `text` (written in `path`) resolve to that have no summary yet.

    Resolves without parsing anything: `from pkg import x` adds pkg/x.py only when pkg is a package.
    """
    files: dict[Path, None] = {}

    def add(resolution: Resolution | None) -> None:
        target = None if resolution is None or not resolution.found else resolution.path
        if target is not None and target.suffix in (".py", ".pyi") and target != path \
                and not index.has_lookup_summary(target):
            files[target] = None

    for level, module, names in imported_names(text):
        dotted = index.absolute_module(path, level, module) if level else module
        if not dotted:
            continue
        parts = dotted.split(".")
        for end in range(1, len(parts)):  # importing a.b.c runs a and a.b first
            add(index.resolve_module(".".join(parts[:end])))
        resolution = index.resolve_module(dotted)
        add(resolution)
        for name in names:
            add(index.find_submodule(resolution, name))
    return list(files)


class Prefetch:
    """Imported modules being summarised by the worker from the front of the list while this process,
    once done with the open module, takes them from the back: the two meet without a cost model, and a
    slow or dead worker only means this side does more."""

    def __init__(self, index: ModuleIndex, files: list[Path], worker: SummaryWorker) -> None:
        self.index = index
        self.files = files
        self._arrived: queue.SimpleQueue = queue.SimpleQueue()
        self.future = worker.submit([str(f) for f in files], kind="lookup", arrived=self._arrived.put)
        self.from_worker = 0
        self.here = 0

    @classmethod
    def start(cls, index: ModuleIndex, path: Path, text: str, worker: SummaryWorker | None) -> Prefetch | None:
        """Ask the worker for the files `text`'s imports need; None when there is nothing to ask for."""
        if worker is None or not worker.alive:
            return None
        files = files_to_prefetch(index, path, text)
        return cls(index, files, worker) if files else None

    def finish(self) -> None:
        """Adopt what arrived and parse the rest here, last first, until every file has a summary (never waits)."""
        remaining = dict.fromkeys(self.files)
        while remaining:
            while True:
                try:
                    records = self._arrived.get_nowait()
                except queue.Empty:
                    break
                entries = {}
                for key, record in records:
                    path = Path(key)
                    if remaining.pop(path, False) is None and record is not None:
                        entries[path] = lookup_entry(record)
                self.from_worker += len(entries)
                self.index.adopt_lookup_entries(entries)
            if not remaining:
                break
            path, _ = remaining.popitem()
            self.index.summary(path)
            self.here += 1


def _dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))
