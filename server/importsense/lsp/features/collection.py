"""Test collection in the editor: per-file status, code lenses, `collection-error` findings, and when pytest runs.

The collection room does the work (`importsense.collection`); this module decides when, and shows it:

* the static view (AST counts + `Project.collection_blockers`) is computed once a project is indexed;
  after saves, changes on disk and unsaved edits that change what a module offers (the index sees open
  buffers) only the test files the changed files affect are computed again (all of them after a
  change to pytest's configuration); the import search runs in short turns on the analysis thread;
* real collection (pytest, in a warm forking process per project) runs only in a trusted workspace with
  `collection` not "off": `onOpen` collects the workspace once after indexing and each test file when it
  is opened, `onSave` (and `onOpen`) collect again the test files a saved file affects — the open ones
  and the ones collected before (all of them with `onOpen`);
* one collection at a time, off the event loop; a newer change to the same project cancels the running
  one (its files are queued again with the new ones);
* `importsense/collectionStatus`, `importsense/collectionChanged`, the code lens and the
  `importsense.recollect` command are the editor's view of it.

State is written on the event loop only; `findings_for` (called on the analysis thread) reads an
immutable mapping that the loop swaps whole.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.capabilities import get_capability

from ...blockers import BlockerSearch
from ...collection import (
    CollectionError,
    CollectionResult,
    FileStatus,
    WarmCollector,
    WarmCollectorError,
    affected_test_files,
    collect,
    discover_test_files,
    read_pytest_config,
    static_status,
)
from ...collection.config import CONFIG_NAMES, PytestConfig
from ...collection.discovery import is_test_file
from ...config import Settings
from ...model import Finding, Severity, Span, display_path
from ..documents import Lines, path_to_uri
from ..session import Progress, Session, uri_path

log = logging.getLogger(__name__)

COLLECTION_CHANGED = "importsense/collectionChanged"
RECOLLECT = "importsense.recollect"
RULE = "collection-error"
STATUS_WAIT = 0.5  # seconds a status request waits for a static view being computed
NOTIFY_DELAY = 0.05  # coalesce change notifications
STATIC_TURN = 0.02  # seconds of the static view's import search between other analysis work
BUFFER_DELAY = 0.3  # seconds without typing before an unsaved change refreshes the static view
LENS_MESSAGE_LIMIT = 120

Targets = frozenset[Path] | None  # None: every test file of the project (what pytest collects by itself)


# ---- what the editor shows (pure) ------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """One test file as the editor shows it: status "ok" | "error" | "static" | "pending"."""

    path: Path
    root: Path
    status: str
    tests: int
    error: CollectionError | None = None
    source: str = "static"  # who decided: "static" (AST and imports) or "pytest"
    exact: bool = True


def shown_for(path: Path, root: Path, real: FileStatus | None, static: FileStatus | None, waiting: bool) -> Shown:
    """What to show for a file: the last real result, else "pending" while it is being collected, else static."""
    if real is not None:
        return Shown(path, root, real.status, real.tests, real.error, "pytest")
    tests = static.tests if static is not None else 0
    exact = static.exact if static is not None else False
    if waiting:
        return Shown(path, root, "pending", tests, None, "static", exact)
    if static is not None and static.status == "error":
        return Shown(path, root, "error", 0, static.error, "static", exact)
    return Shown(path, root, "static", tests, None, "static", exact)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _first_line(text: str, limit: int) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[:limit - 1] + "…"


def lens_title(shown: Shown) -> str:
    """The code lens text at the top of a test file."""
    if shown.status == "ok":
        return f"✓ {_plural(shown.tests, 'test')} collected"
    if shown.status == "error":
        error = shown.error or CollectionError("Error", "")
        where = "collection fails" if shown.source == "pytest" else "collection fails (static estimate)"
        message = _first_line(error.message, LENS_MESSAGE_LIMIT)
        detail = f"{error.type}: {message}" if message else error.type
        return f"✗ {where}: {detail} (line {error.line or 1})"
    count = f"{'' if shown.exact else '~'}{_plural(shown.tests, 'test')}"
    if shown.status == "pending":
        return f"⟳ collecting… (static estimate: {count})"
    return f"… static estimate: {count}"


def file_json(shown: Shown) -> dict[str, Any]:
    """One entry of `importsense/collectionStatus` (the shape client-vscode/src/collectionModel.ts reads)."""
    error = None
    if shown.status == "error":
        found = shown.error or CollectionError("Error", "")
        error = {"type": found.type, "message": found.message, "line": found.line or 1}
    return {
        "uri": path_to_uri(shown.path),
        "path": display_path(shown.path, shown.root),
        "status": shown.status,
        "tests": shown.tests,
        "error": error,
    }


def status_json(files: Iterable[Shown], indexing: bool) -> dict[str, Any]:
    entries = [file_json(s) for s in sorted(files, key=lambda s: (str(s.root), str(s.path)))]
    return {
        "files": entries,
        "summary": {
            "files": len(entries),
            "tests": sum(e["tests"] for e in entries),
            "errors": sum(1 for e in entries if e["status"] == "error"),
        },
        "indexing": indexing,
    }


def collection_finding(shown: Shown | None, settings: Settings, line_content: Callable[[int], str]) -> Finding | None:
    """The `collection-error` finding for a file that fails to collect, on its failing line (1 when unknown).

    A static estimate whose cause is in the test file itself is already reported there by its own rule
    (missing-name, unresolved-module, syntax-error ...): only pytest's verdict, or a static failure raised
    in another first-party module the file imports, becomes a finding.
    """
    if shown is None or shown.status != "error" or not settings.rule_enabled(RULE):
        return None
    error = shown.error or CollectionError("Error", "")
    if shown.source != "pytest" and (error.root_path is None or error.root_path == shown.path):
        return None
    line = error.line or 1
    content = line_content(line - 1)
    start = len(content) - len(content.lstrip()) + 1
    end = max(len(content.rstrip()) + 1, start)
    message = error.message.strip()
    head = "collection fails" if shown.source == "pytest" else "collection fails (static estimate)"
    text = f"{head}: {error.type}: {message}" if message else f"{head}: {error.type}"
    related: tuple[tuple[Path, Span, str], ...] = ()
    if error.root_path is not None and error.root_path != shown.path and error.root_line:
        if shown.source == "pytest":  # the static message names it already
            text += f" (raised in {display_path(error.root_path, shown.root)}:{error.root_line})"
        related = ((error.root_path, Span(error.root_line, 1, error.root_line, 1), "collection fails here"),)
    return Finding(shown.path, Span(line, start, line, end), RULE,
                   settings.severity_for(RULE, Severity.ERROR), text, related=related)


def finding_key(shown: Shown | None) -> tuple | None:
    """What the diagnostic of a file depends on: when it is unchanged, the file needs no re-check."""
    if shown is None or shown.status != "error":
        return None
    return (shown.source, shown.error)


def targets_after_change(mode: str, affected: list[Path] | None, tests: Iterable[Path],
                         open_paths: Iterable[Path], collected: Iterable[Path]) -> Targets:
    """Test files to collect again after files changed (None: all).

    With `onOpen` every affected test file (the whole workspace view is real); with `onSave` the affected
    ones that are open or were collected before (the others keep their static estimate).
    """
    if mode == "onOpen":
        return None if affected is None else frozenset(affected)
    watched = set(open_paths) | set(collected)
    if affected is None:
        return frozenset(p for p in set(tests) | set(collected) if p in watched)
    return frozenset(p for p in affected if p in watched)


def merge_targets(first: Targets, second: Targets) -> Targets:
    if first is None or second is None:
        return None
    return first | second


def covers(wide: Targets, narrow: Targets) -> bool:
    return wide is None or (narrow is not None and narrow <= wide)


# ---- state -----------------------------------------------------------------------------------

@dataclass
class RootState:
    """One project's test files: pytest's configuration, the static view and the real results."""

    root: Path
    config: PytestConfig | None = None
    test_files: tuple[Path, ...] | None = None
    static: dict[Path, FileStatus] = field(default_factory=dict)
    real: dict[Path, FileStatus] = field(default_factory=dict)
    started: bool = False  # onOpen: the start-up collection of the workspace was queued
    static_task: asyncio.Task | None = None
    static_again: bool = False
    static_changed: Targets = frozenset()  # files changed since the static view (None: recompute all)
    edited: set[Path] = field(default_factory=set)  # open documents whose interface changed, not yet applied
    edit_timer: asyncio.TimerHandle | None = None
    discovering: asyncio.Future | None = None


@dataclass
class Job:
    """One collection: a project's test files (None: all), with its cancel flag."""

    root: Path
    targets: Targets
    progress: bool
    cancel: threading.Event = field(default_factory=threading.Event)
    superseded: bool = False  # cancelled by a newer change: its files are queued again


class CollectionService:
    """When to collect, one collection at a time, and what the editor is shown."""

    def __init__(self, server: Any, session: Session) -> None:
        self.server = server
        self.session = session
        self.states: dict[Path, RootState] = {}
        self.shown: Mapping[Path, Shown] = {}  # swapped whole on the loop; read on the analysis thread
        self.closed = False
        self._wanted: dict[Path, Targets] = {}  # queued collections, by project root
        self._progress_roots: set[Path] = set()
        self._running: Job | None = None
        self._worker: asyncio.Task | None = None
        self._job_done: asyncio.Event | None = None
        self._tasks: set[asyncio.Future] = set()
        self._notify_pending = False
        self._lens_uris: set[str] = set()  # documents the client asked lenses for: refreshed when they change
        self._lens_stale = False
        self._unavailable: dict[Path, str] = {}  # roots where pytest cannot run, and why
        # collector thread only:
        self._collectors: dict[Path, WarmCollector] = {}
        self._collector_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="importsense-collector")
        self._static_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="importsense-collection-static")

    # ---- settings ------------------------------------------------------------------------
    def _settings(self, root: Path) -> Settings:
        return self.session.projects.settings_for(root)

    def allowed(self, root: Path) -> str | None:
        """None when pytest may run in `root`; else why not."""
        settings = self._settings(root)
        if not settings.trusted:
            return "the workspace is not trusted: test collection runs pytest, which runs the project's code"
        if settings.collection == "off":
            return 'test collection is off (setting "collection": "off")'
        return self._unavailable.get(root)

    # ---- hooks (called by the session, on the loop) --------------------------------------------
    def findings_for(self, settings: Settings, path: Path, lines: Lines) -> list[Finding]:
        """Analysis thread: the collection-error finding of an open file, if it fails to collect."""
        finding = collection_finding(self.shown.get(path), settings, lines.line_content)
        return [finding] if finding is not None else []

    def indexed(self, root: Path) -> None:
        """The project is indexed: its static view now (a status request waits for it), then onOpen's run."""
        if root not in self.states:
            self.states[root] = RootState(root)
        self.refresh_static(root)
        self._spawn(self._start_up(root))

    def opened(self, path: Path) -> None:
        self._spawn(self._opened(path))

    def saved(self, path: Path) -> None:
        self.files_changed([path])

    def files_changed(self, paths: Iterable[Path]) -> None:
        by_root: dict[Path, list[Path]] = {}
        for path in paths:
            if path.suffix != ".py" and path.name not in CONFIG_NAMES:
                continue
            root = self.session.projects.root_for(path)
            if root is not None:
                by_root.setdefault(root, []).append(path)
        for root, changed in by_root.items():
            self._spawn(self._changed(root, changed))

    def reconfigured(self, stale: Iterable[Path]) -> None:
        """Settings changed: rebuilt projects start afresh; collection stops where it is no longer allowed."""
        stale = set(stale)
        self._unavailable.clear()
        for root in list(self.states):
            if root in stale:
                self._stop(root)
                self.states.pop(root, None)
                continue
            if self.allowed(root) is not None:
                self._stop(root)
                state = self.states[root]
                state.real = {}
                state.started = False
            self.refresh_static(root)
            self._spawn(self._start_up(root))  # onOpen (again, or now allowed): the workspace's collection
        self._publish()

    async def shutdown(self) -> None:
        self.closed = True
        for root in list(self._wanted) + ([self._running.root] if self._running else []):
            self._stop(root)
        for task in list(self._tasks):
            task.cancel()
        for collector in list(self._collectors.values()):
            collector.cancel_current()
        self._signal_idle()
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(self._collector_thread, self._close_all), timeout=5)
        except Exception:
            log.debug("closing the collectors failed", exc_info=True)
        self._collector_thread.shutdown(wait=False, cancel_futures=True)
        self._static_thread.shutdown(wait=False, cancel_futures=True)

    # ---- requests ---------------------------------------------------------------------------
    async def status(self) -> dict[str, Any]:
        """`importsense/collectionStatus`: every test file's status (waiting briefly for a static view)."""
        running = [s.static_task for s in self.states.values() if s.static_task is not None]
        if running:
            await asyncio.wait(running, timeout=STATUS_WAIT)
        projects = self.session.projects
        computing = (any(s.static_task is not None and not s.static for s in self.states.values())
                     or any(projects.entry(folder) is None for folder in projects.folders))  # not even started
        return status_json(self.shown.values(), projects.indexing or computing)

    def code_lenses(self, uri: str) -> list[types.CodeLens]:
        path = uri_path(uri)
        self._lens_uris.add(uri)
        shown = self.shown.get(path) if path is not None else None
        if shown is None:
            return []
        start = types.Position(0, 0)
        return [types.CodeLens(range=types.Range(start, start),
                               command=types.Command(title=lens_title(shown), command=RECOLLECT, arguments=[uri]))]

    async def recollect(self, args: Iterable[Any]) -> dict[str, Any]:
        """`importsense.recollect`: collect the given files (URIs), or every project, and wait for the result."""
        await self.session.open_folders()
        wanted: dict[Path, Targets] = {}
        for arg in args:
            path = uri_path(arg) if isinstance(arg, str) and ":" in arg else None
            root = self.session.projects.root_for(path) if path is not None else None
            if root is not None and path is not None:
                wanted[root] = merge_targets(wanted.get(root, frozenset()), frozenset([path]))
        if not wanted:
            wanted = {root: None for root, _ in self.session.projects.entries()}
        refused: list[str] = []
        started: list[Path] = []
        for root, targets in wanted.items():
            why = self.allowed(root)
            if why is not None:
                refused.append(why if len(wanted) == 1 else f"{root.name}: {why}")
                continue
            state = await self.ensure_state(root)
            if targets is not None:
                known = set(state.test_files or ()) | set(state.real)
                targets = frozenset(p for p in targets if p in known)
                if not targets:
                    refused.append(f"not a test file: {', '.join(sorted(str(p) for p in wanted[root] or ()))}")
                    continue
            self.request(root, targets, changed=True, progress=True)
            started.append(root)
        await self._wait_idle(started)
        if not started:
            return {"message": "; ".join(refused) or "no project to collect"}
        files = [s for s in self.shown.values() if s.root in started]
        summary = status_json(files, False)["summary"]
        message = (f"{_plural(summary['files'], 'test file')}, {_plural(summary['tests'], 'test')}; "
                   f"{summary['errors']} {'fails' if summary['errors'] == 1 else 'fail'} to collect")
        if refused:
            message += " (" + "; ".join(refused) + ")"
        return {**summary, "message": message}

    # ---- static view ----------------------------------------------------------------------------
    async def ensure_state(self, root: Path) -> RootState:
        """The project's state with pytest's configuration read and its test files found."""
        state = self.states.get(root)
        if state is None:
            state = self.states[root] = RootState(root)
        while state.config is None or state.test_files is None:
            if state.discovering is None:
                state.discovering = asyncio.ensure_future(self._discover(state))
            discovering = state.discovering
            try:
                await asyncio.shield(discovering)
            finally:
                if state.discovering is discovering and discovering.done():
                    state.discovering = None
        return state

    async def _discover(self, state: RootState) -> None:
        loop = asyncio.get_running_loop()
        if state.config is None:
            state.config = await loop.run_in_executor(self._static_thread, read_pytest_config, state.root)
        config = state.config
        files = await loop.run_in_executor(self._static_thread, discover_test_files, state.root, config)
        if state.config is config:
            state.test_files = tuple(files)

    def refresh_static(self, root: Path, changed: Iterable[Path] | None = None) -> None:
        """Recompute the static view: of every test file, or (`changed`) of those the changed files affect."""
        state = self.states.get(root)
        if state is None or self.closed:
            return
        state.static_changed = merge_targets(state.static_changed, None if changed is None else frozenset(changed))
        state.static_again = True
        if state.static_task is None:
            state.static_task = asyncio.ensure_future(self._static(state))

    def buffer_changed(self, path: Path) -> None:
        """An open document's interface changed, unsaved (the index sees it): refresh the static view it
        affects after a short pause, so a module that stops or starts parsing while typed is seen by the
        test files importing it."""
        root = self.session.projects.root_for(path)
        state = self.states.get(root) if root is not None else None
        if state is None or self.closed:
            return  # no static view yet: the first one is computed from the index as it is then
        state.edited.add(path)
        if state.edit_timer is not None:
            state.edit_timer.cancel()  # still typing: wait for a pause
        state.edit_timer = asyncio.get_running_loop().call_later(BUFFER_DELAY, self._apply_edits, state)

    def _apply_edits(self, state: RootState) -> None:
        state.edit_timer = None
        edited, state.edited = state.edited, set()
        if self.states.get(state.root) is state and edited:
            self.refresh_static(state.root, edited)

    async def _static(self, state: RootState) -> None:
        loop = asyncio.get_running_loop()
        try:
            while state.static_again:
                state.static_again = False
                changed, state.static_changed = state.static_changed, frozenset()
                entry = self.session.projects.entry(state.root)
                if entry is None or not entry.indexed:
                    return
                await self.ensure_state(state.root)
                files = list(state.test_files or ())
                config = state.config
                partial = changed is not None and bool(state.static)
                if partial:
                    affected = await self.session.scheduler.run(functools.partial(
                        affected_test_files, sorted(changed or ()), files, importers_of=entry.project.index.importers_of))
                    if affected is None:
                        partial = False
                    else:
                        files = affected
                blockers = await self._blockers(entry.project, files)
                statuses = await loop.run_in_executor(self._static_thread, functools.partial(
                    static_status, state.root, files, import_failures=blockers, config=config))
                if self.states.get(state.root) is not state:
                    return
                fresh = {s.path: s for s in statuses}
                if partial:
                    current = set(state.test_files or ())
                    fresh = {path: s for path, s in {**state.static, **fresh}.items() if path in current}
                state.static = fresh
                self._publish()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the static test collection view of %s failed", state.root)
        finally:
            state.static_task = None

    async def _blockers(self, project: Any, files: list[Path]) -> dict[Path, Any]:
        """`Project.collection_blockers` in turns of STATIC_TURN seconds on the analysis thread, so that
        edits are analysed in between (a large workspace takes seconds)."""
        await self.session.scheduler.run(project.probe_environment)
        search = BlockerSearch(project)
        blockers: dict[Path, Any] = {}
        while files:
            found, files = await self.session.scheduler.run(search.some_blockers, files, STATIC_TURN)
            blockers.update(found)
        return blockers

    # ---- triggers --------------------------------------------------------------------------------
    async def _start_up(self, root: Path) -> None:
        entry = self.session.projects.entry(root)
        if entry is None or not entry.indexed:
            return  # the session calls `indexed` when indexing ends
        state = await self.ensure_state(root)
        if self._settings(root).collection == "onOpen" and not state.started and self.allowed(root) is None:
            state.started = True
            self.request(root, None, changed=False, progress=True)

    async def _opened(self, path: Path) -> None:
        root = self.session.projects.root_for(path)
        if root is None or self._settings(root).collection != "onOpen" or self.allowed(root) is not None:
            return
        entry = self.session.projects.entry(root)
        state = self.states.get(root)
        if entry is None or not entry.indexed or state is None or not state.started:
            return  # the start-up collection of the workspace (after indexing) will include it
        state = await self.ensure_state(root)
        if path in (state.test_files or ()) and path not in state.real:
            self.request(root, frozenset([path]), changed=False)

    async def _changed(self, root: Path, changed: list[Path]) -> None:
        if self.session.projects.entry(root) is None:
            return  # not a project the session analyses (yet): nothing is shown for it
        state = await self.ensure_state(root)
        config = state.config
        if any(p.name in CONFIG_NAMES for p in changed):
            state.config = state.test_files = None  # pytest's configuration may have changed
        elif config is not None and any((p not in (state.test_files or ()) and p.exists() and is_test_file(p, config))
                                        or (p in (state.test_files or ()) and not p.exists()) for p in changed):
            state.test_files = None  # a test file appeared or went away
        state = await self.ensure_state(root)
        gone = [p for p in state.real if not p.exists()]
        for path in gone:
            del state.real[path]
        self.refresh_static(root, changed)  # the test files the changed files affect (all for a config file)
        if gone:
            self._publish()
        settings = self._settings(root)
        if self.allowed(root) is not None:
            return
        tests = sorted(set(state.test_files or ()) | set(state.real))
        entry = self.session.projects.entry(root)
        if entry is not None and entry.indexed:
            index = entry.project.index
            affected = await self.session.scheduler.run(functools.partial(
                affected_test_files, changed, tests, importers_of=index.importers_of))
        else:  # before indexing the reverse imports would parse the workspace: the files themselves only
            direct = [p for p in changed if p in tests or p.name == "conftest.py" or p.name in CONFIG_NAMES]
            affected = affected_test_files(direct, tests)
        open_paths = set(self.session.open_paths.values())
        targets = targets_after_change(settings.collection, affected, tests, open_paths, state.real)
        if targets is None or targets:
            self.request(root, targets, changed=True, progress=targets is None)

    # ---- the queue -----------------------------------------------------------------------------
    def request(self, root: Path, targets: Targets, *, changed: bool, progress: bool = False) -> None:
        """Queue a collection of `targets` in `root`; a change cancels the project's running collection."""
        if self.closed or self.allowed(root) is not None:
            return
        running = self._running
        if not changed and running is not None and running.root == root and covers(running.targets, targets):
            return
        self._wanted[root] = merge_targets(self._wanted.get(root, frozenset()), targets)
        if progress:
            self._progress_roots.add(root)
        if changed and running is not None and running.root == root and not running.cancel.is_set():
            running.superseded = True
            running.cancel.set()
        if self._worker is None:
            self._worker = asyncio.ensure_future(self._work())
        self._publish()

    def _stop(self, root: Path) -> None:
        """Drop the project's queued collection, stop its running one and its warm process."""
        self._wanted.pop(root, None)
        self._progress_roots.discard(root)
        running = self._running
        if running is not None and running.root == root:
            running.superseded = False
            running.cancel.set()
        if not self.closed:
            self._collector_thread.submit(self._close_collector, root)
        self._signal_idle()

    async def _work(self) -> None:
        try:
            while self._wanted and not self.closed:
                root = next(iter(self._wanted))
                targets = self._wanted.pop(root)
                progress = targets is None or root in self._progress_roots
                self._progress_roots.discard(root)
                try:
                    await self._run(Job(root, targets, progress))
                except Exception:
                    log.exception("test collection in %s failed", root)
                finally:
                    self._signal_idle()
        finally:
            self._worker = None

    async def _run(self, job: Job) -> None:
        root = job.root
        state = self.states.get(root)
        if state is None or self.allowed(root) is not None:
            return
        project = await self.session.scheduler.run(self.session.projects.project_at, root)
        settings = self._settings(root)
        self._running = job
        self._publish()
        progress = Progress(self.session, f"Collecting tests in {root.name or root}") if job.progress else None
        result: CollectionResult | None = None
        try:
            if progress is not None:
                count = len(state.test_files or ()) if job.targets is None else len(job.targets)
                await progress.begin(count)
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(
                self._collector_thread, self._collect_blocking, job, project.environment.python,
                settings.collection_timeout, state.config)
        except Exception:
            log.exception("test collection in %s failed", root)
        finally:
            self._running = None
            if progress is not None:
                done = result is not None and not result.cancelled
                progress.end(f"{_plural(result.tests, 'test')}, {len(result.errors)} failing" if done and result
                             else "cancelled")
        if result is not None and result.cancelled:
            if job.superseded and not self.closed and self.states.get(root) is state:
                self._wanted[root] = merge_targets(self._wanted.get(root, frozenset()), job.targets)
                if job.progress:
                    self._progress_roots.add(root)
        elif result is not None and self.states.get(root) is state and self.allowed(root) is None:
            for problem in result.problems:
                log.info("test collection in %s: %s", root, problem)
            fresh = result.by_path()
            if job.targets is None:
                state.real = fresh  # what pytest collects by itself: files it no longer reports are gone
            else:
                state.real = {**state.real, **fresh}
        self._publish()

    def _signal_idle(self) -> None:
        """Wake the requests waiting for collections to finish (they look again)."""
        if self._job_done is not None:
            self._job_done.set()
        self._job_done = None

    async def _wait_idle(self, roots: Iterable[Path]) -> None:
        roots = set(roots)
        while not self.closed and (any(r in self._wanted for r in roots)
                                   or (self._running is not None and self._running.root in roots)):
            if self._job_done is None:
                self._job_done = asyncio.Event()
            await self._job_done.wait()

    # ---- the collector thread -------------------------------------------------------------------
    def _collect_blocking(self, job: Job, python: str, timeout: float, config: PytestConfig | None) -> CollectionResult:
        files = sorted(job.targets) if job.targets is not None else None
        if job.cancel.is_set():
            return CollectionResult(cancelled=True)
        try:
            collector = self._collector_for(job.root, python, config)
            if collector is None:
                return collect(job.root, python, files, timeout=timeout, cancel=job.cancel, config=config)
            return collector.collect(files, timeout, job.cancel, supersede=True)
        except WarmCollectorError as error:
            message = f"pytest cannot run in {job.root}: {error}"
            self.session._call_on_loop(lambda: self._unavailable_now(job.root, message))
            return CollectionResult(problems=[message], cancelled=True)

    def _collector_for(self, root: Path, python: str, config: PytestConfig | None) -> WarmCollector | None:
        current = self._collectors.get(root)
        if current is not None and current.python == python and current.config == config:
            return current
        if current is not None:
            self._close_collector(root)
        collector = WarmCollector()
        collector.start(python, root, config=config)
        if not collector.forking:
            return None  # no os.fork: every request is a cold subprocess
        self._collectors[root] = collector
        log.info("test collection in %s: warm pytest process started (%d modules preloaded)", root,
                 len(collector.preloaded))
        return collector

    def _close_collector(self, root: Path) -> None:
        collector = self._collectors.pop(root, None)
        if collector is not None:
            collector.close()

    def _close_all(self) -> None:
        for root in list(self._collectors):
            self._close_collector(root)

    def _unavailable_now(self, root: Path, message: str) -> None:
        if root not in self._unavailable:
            self._unavailable[root] = message
            log.warning("%s", message)
            self.server.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                                    message=f"importsense: {message}"))
        self._wanted.pop(root, None)
        self._signal_idle()
        self._publish()

    # ---- publishing -------------------------------------------------------------------------------
    def _compute_shown(self) -> dict[Path, Shown]:
        running = self._running
        result: dict[Path, Shown] = {}
        for root, state in self.states.items():
            waiting_all = (root in self._wanted and self._wanted[root] is None) or (
                running is not None and running.root == root and running.targets is None)
            waiting: set[Path] = set(self._wanted.get(root) or ())
            if running is not None and running.root == root and running.targets is not None:
                waiting |= running.targets
            for path in sorted(set(state.static) | set(state.real)):
                result[path] = shown_for(path, root, state.real.get(path), state.static.get(path),
                                         waiting_all or path in waiting)
        return result

    def _publish(self) -> None:
        """Recompute what is shown; when it changed, re-check the open files and tell the client."""
        previous, shown = self.shown, self._compute_shown()
        if shown == previous:
            return
        self.shown = shown
        for uri, path in self.session.open_paths.items():
            if finding_key(previous.get(path)) != finding_key(shown.get(path)):
                self.session.scheduler.schedule(uri, 0)
        for uri in self._lens_uris:
            path = uri_path(uri)
            if path is not None and previous.get(path) != shown.get(path):
                self._lens_stale = True
        if not self._notify_pending and not self.closed:
            self._notify_pending = True
            asyncio.get_running_loop().call_later(NOTIFY_DELAY, self._notify)

    def _notify(self) -> None:
        self._notify_pending = False
        if self.closed:
            return
        try:  # no params ("params": null, which pygls clients need and vscode-jsonrpc accepts): the client asks
            self.server.protocol.notify(COLLECTION_CHANGED, None)
        except Exception:
            log.debug("could not send %s", COLLECTION_CHANGED, exc_info=True)
        stale, self._lens_stale = self._lens_stale, False
        capabilities = getattr(self.server, "client_capabilities", None)
        if stale and capabilities is not None and get_capability(
                capabilities, "workspace.code_lens.refresh_support", False):
            try:
                future = self.server.workspace_code_lens_refresh(None)
                future.add_done_callback(lambda f: f.cancelled() or f.exception())
            except Exception:
                log.debug("code lens refresh failed", exc_info=True)

    def _spawn(self, coroutine: Any) -> None:
        if self.closed:
            coroutine.close()
            return
        task = asyncio.ensure_future(self._guard(coroutine))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guard(coroutine: Any) -> None:
        try:
            await coroutine
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("test collection: an update failed")


def register(server: Any, session: Session) -> CollectionService:
    """Create the service, hook it into the session, and register the code lens and `importsense.recollect`."""
    service = CollectionService(server, session)
    session.collection = service

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(params: types.CodeLensParams) -> list[types.CodeLens]:
        return service.code_lenses(params.text_document.uri)

    @server.command(RECOLLECT)
    async def recollect(*args: Any) -> dict[str, Any]:
        return await service.recollect(args)

    return service
