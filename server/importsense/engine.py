"""Project: the facade the CLI and the server call — open a project, check files, overlay unsaved buffers."""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .blockers import BlockerSearch
from .checks import RULE_FUNCTIONS, CheckContext, Rule, run_checks
from .config import Settings
from .model import CheckReport, Finding
from .project.cache import FindingsCache, default_cache_dir, load_cache, save_cache
from .project.environment import Environment, find_interpreter, start_environment_query
from .project.index import ModuleIndex
from .project.roots import infer_roots, is_excluded, walk_python_files
from .project.sources import summarize_paths
from .project.summary import FileSummary, summarize_source

PARALLEL_THRESHOLD = 400  # below this many files to parse, a process pool costs more than it saves


@dataclass
class ProjectOptions:
    python: str | None = None  # --python
    use_cache: bool = True
    cache_dir: Path | None = None
    workers: int | None = None
    lazy_stats: bool = False  # the language server: stat files when a cache needs it, not while starting
    long_lived: bool = False  # the language server: keep memory bounded (ModuleIndex.bounded_decoding)


class Project:
    """One project root: its settings, environment, module index and cache."""

    def __init__(self, settings: Settings, options: ProjectOptions | None = None) -> None:
        self.settings = settings
        self.options = options or ProjectOptions()
        self.root = settings.root
        self.cache_dir = self.options.cache_dir or default_cache_dir()
        python = find_interpreter(self.root, self.options.python, settings.python)
        environment = start_environment_query(python, self.cache_dir if self.options.use_cache else None)
        discovery = walk_python_files(self.root, settings.exclude,  # while the interpreter answers
                                      with_stats=not self.options.lazy_stats)
        self.environment: Environment = environment()
        self.problems: list[str] = list(discovery.problems)
        if self.environment.problem:
            self.problems.append(f"target interpreter: {self.environment.problem}")
        self.files = [f.path for f in discovery.files]
        self._discovered = discovery.files
        self._package_dirs = discovery.package_dirs
        self._file_stats: dict[Path, tuple[int, int]] | None = None
        self._roots: list[Path] | None = None
        self._index: ModuleIndex | None = None  # built at first use: a warm run answered by the cache needs none
        self._lock = threading.RLock()
        self.findings_cache = FindingsCache(self) if self.options.use_cache else None
        self._probed = False

    @property
    def roots(self) -> list[Path]:
        """Source roots (the project's, `src`, setuptools' and pytest's `pythonpath`, test dirs pytest inserts)."""
        if self._roots is None:
            self._roots = infer_roots(self.settings, self._discovered, self._package_dirs)
        return self._roots

    @property
    def index(self) -> ModuleIndex:
        index = self._index
        if index is None:
            with self._lock:
                if self._index is None:
                    cached = (lambda: load_cache(self.root, self.cache_dir)) if self.options.use_cache else {}
                    built = ModuleIndex(self.settings, self.environment, self.roots, self.files, cached)
                    built.bounded_decoding = self.options.long_lived
                    self._index = built
                index = self._index
        return index

    @property
    def overlays(self) -> dict:
        """Open buffers' text by path (empty until the index exists: only the index holds them)."""
        return self._index._overlays if self._index is not None else {}

    @property
    def file_stats(self) -> dict[Path, tuple[int, int]]:
        """(size, mtime_ns) of every discovered file, as the walk saw it (or at first use, with lazy_stats)."""
        if self._file_stats is None:
            stats: dict[Path, tuple[int, int]] = {}
            for source in self._discovered:
                if source.size >= 0:
                    stats[source.path] = (source.size, source.mtime_ns)
                    continue
                try:
                    info = os.stat(source.path)
                except OSError:
                    continue
                stats[source.path] = (info.st_size, info.st_mtime_ns)
            self._file_stats = stats
        return self._file_stats

    # ---- indexing ------------------------------------------------------
    def summarize_all(self, paths: Iterable[Path] | None = None,
                      progress: Callable[[int, int], None] | None = None) -> None:
        """Make sure every file (or `paths`) has a summary, in parallel when there are many to parse."""
        with gc_paused():
            self._summarize_all(paths, progress)

    def _summarize_all(self, paths: Iterable[Path] | None, progress: Callable[[int, int], None] | None) -> None:
        todo = [p for p in (paths if paths is not None else self.index.first_party_files) if self.index.needs_summary(p)]
        total = len(todo)
        workers = self.options.workers or os.cpu_count() or 1
        if total >= PARALLEL_THRESHOLD and workers > 1:
            chunk = max(16, total // (workers * 8))
            chunks = [[str(p) for p in todo[i:i + chunk]] for i in range(0, total, chunk)]
            done = 0
            try:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
                with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                    for results in pool.map(summarize_paths, chunks):
                        self.index.adopt_entries({p: e for p, e in results if e is not None})
                        done += len(results)
                        if progress:
                            progress(done, total)
                return
            except (OSError, RuntimeError):
                pass  # fall back to this process
        for number, path in enumerate(todo, 1):
            self.index.full_summary(path)
            if progress and number % 200 == 0:
                progress(number, total)
        if progress:
            progress(total, total)

    def probe_environment(self, paths: Iterable[Path] | None = None) -> None:
        """One batched find_spec call for every top-level name (imported by `paths`) no path scan could resolve."""
        if paths is None:
            with self._lock:
                if self._probed:
                    return
                self._probed = True
        names: set[str] = set()
        for path in (self.index.first_party_files if paths is None else paths):
            summary = self.index.summary(path)
            if summary is None:
                continue
            for record in summary.imports:
                if record.is_from:
                    if not record.level and record.module:
                        names.add(record.module.split(".", 1)[0])
                else:
                    names.update(n.name.split(".", 1)[0] for n in record.names)
        self.index.probe_missing(names)

    def save(self) -> None:
        if not self.options.use_cache:
            return
        if self._index is not None and self._index._disk_cache_loaded is not None:
            entries, dirty = self._index.disk_cache()
            if dirty:
                save_cache(self.root, self.cache_dir, entries)
        if self.findings_cache is not None:
            self.findings_cache.save()

    # ---- checking --------------------------------------------------------
    def is_checked(self, path: Path) -> bool:
        return not is_excluded(path, self.root, self.settings.exclude)

    def check_file(self, path: Path, text: str | None = None, summary: FileSummary | None = None,
                   rules: tuple[Rule, ...] = RULE_FUNCTIONS) -> list[Finding]:
        """Findings for one file; `text` is unsaved editor text (it also becomes the index's view of the file);
        `rules`: which rule functions to run (default: all)."""
        path = path.resolve() if not path.is_absolute() else path
        if text is not None:
            summary = summary or summarize_source(text, str(path))
            self.index.set_overlay(path, text, summary)
        elif summary is None:
            summary = self.index.full_summary(path)
        if summary is None:
            return []
        context = CheckContext(path=path, summary=summary, index=self.index, settings=self.settings,
                               module=self.index.module_name_for(path))
        return run_checks(context, rules)

    def check_paths(self, paths: Iterable[Path] | None = None,
                    progress: Callable[[int, int], None] | None = None) -> CheckReport:
        """Check many files (default: the whole project), reusing cached findings whose inputs did not change."""
        with gc_paused():  # millions of short-lived objects, no cycles worth collecting in one run
            return self._check_paths(paths, progress)

    def _check_paths(self, paths: Iterable[Path] | None,
                     progress: Callable[[int, int], None] | None) -> CheckReport:
        report = CheckReport(problems=list(self.problems))
        targets = self.files if paths is None else self.select_files(paths, report)
        cache = self.findings_cache
        fresh = cache.load() if cache is not None else {}
        todo = [p for p in targets if p not in fresh]
        if todo:
            # Summaries are made in parallel (parsing is most of the work); checks then run here, one
            # process: forked check workers were no faster (each decoded most summaries again) and
            # held 2.3x the memory (measured on the 520k-line benchmark: 7.5 s / 437 MB vs 7.1 s / 195 MB).
            self.summarize_all(progress=progress)
            self.probe_environment(todo)
        for path in targets:
            if path in fresh:
                report.findings.extend(fresh[path])
            else:
                findings, deps = self.check_file_tracked(path)
                report.findings.extend(findings)
                if cache is not None:
                    cache.store(path, findings, deps)
            report.files_checked += 1
        self.save()
        return report

    def check_file_tracked(self, path: Path) -> tuple[list[Finding], set[Path]]:
        """check_file, plus every file whose summary the check consulted (its inputs)."""
        index = self.index
        index.tracking = set()
        try:
            findings = self.check_file(path)
            deps = index.tracking
        finally:
            index.tracking = None
        deps.discard(path)
        return findings, deps

    def first_fix(self, finding: Finding):
        """The preferred ready-made Fix of a finding (memoised in the findings cache), or None."""
        cache = self.findings_cache
        if cache is not None:
            known, fix = cache.fix_for(finding)
            if known:
                return fix
        from .fixes import build_fix  # libcst costs ~0.2 s to import: only when a fix must be built
        fix = None
        for intent in sorted(finding.intents, key=lambda i: not i.preferred):
            try:
                fix = build_fix(intent, self.read_text)
            except (OSError, ValueError):
                fix = None
            if fix is not None:
                break
        if cache is not None:
            cache.remember_fix(finding, fix)
        return fix

    def select_files(self, paths: Iterable[Path], report: CheckReport) -> list[Path]:
        """The project files at or below `paths`, in path order (files outside the project join it)."""
        paths = list(paths)
        selected: list[Path] = []
        known: set[Path] | None = None
        for raw in paths:
            path = raw.resolve()
            if not path.exists():
                report.problems.append(f"{raw}: no such file or directory")
                continue
            if path.is_dir():
                if path == self.root or path in self.root.parents:
                    if len(paths) == 1:
                        return sorted(self.files, key=str)  # the usual `check .`: every file, no filtering
                    selected.extend(self.files)
                    continue
                prefix = str(path).rstrip("/") + "/"
                selected.extend(p for p in self.files if str(p).startswith(prefix))
                continue
            if known is None:
                known = set(self.files)
            if path in known:
                selected.append(path)
            elif path.suffix in (".py", ".pyi"):
                self.index.add_file(path)
                selected.append(path)
            else:
                report.problems.append(f"{raw}: not a Python file")
        return sorted(set(selected), key=str)

    # ---- collection support ------------------------------------------------
    def collection_blockers(self, test_files: Iterable[Path], search: BlockerSearch | None = None
                            ) -> dict[Path, tuple[int, str, Path, int]]:
        """For each test file that will fail to import: (line of the import in that file, why, root file, root line).

        A file is blocked when a module-level import in it, or in a first-party module it imports
        (transitively), is unresolved, names something missing, or the module does not parse. Pass the
        same `search` to answer a long list in parts (what it learnt about modules is kept).
        """
        self.probe_environment()
        return (search or BlockerSearch(self)).blockers(test_files)

    # ---- editor support ----------------------------------------------------
    def set_overlay(self, path: Path, text: str, summary: FileSummary | None = None) -> set[Path]:
        """Unsaved text for `path`; returns the files that import it (to re-check)."""
        self.index.set_overlay(path, text, summary)
        return self.index.importers_of(path)

    def clear_overlay(self, path: Path) -> set[Path]:
        self.index.clear_overlay(path)
        return self.index.importers_of(path)

    def file_changed(self, path: Path) -> set[Path]:
        try:
            info = path.stat()
            if path in self.file_stats or self.index.is_first_party_path(path):
                self.file_stats[path] = (info.st_size, info.st_mtime_ns)
        except OSError:
            self.file_stats.pop(path, None)
        self.index.file_changed(path)
        return self.index.importers_of(path)

    def read_text(self, path: Path) -> str:
        """The text the index sees for `path`: the editor's unsaved buffer, else the disk."""
        overlay = self.index.overlay_text(path)
        if overlay is not None:
            return overlay
        from .project.sources import decode_source

        text, problem = decode_source(path.read_bytes())
        if text is None:
            raise ValueError(f"{path}: {problem}")
        return text


_gc_lock = threading.Lock()
_gc_depth = 0  # threads inside gc_paused(): the collector is switched back on when the last one leaves
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused():
    """Summaries allocate millions of small objects that are freed by reference counting: the cyclic
    collector only re-walks the growing heap (measured: it doubled the cost of summarising a project).
    Safe to nest and to use from several threads at once."""
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()
