"""Session: the state of one editor connection — documents, projects, the scheduler — and the analysis pipeline.

Pipeline for an open document: the loop snapshots its text, the analysis thread updates the document's
incremental summary, hands unsaved text to the index when the module's interface changed (and collects
the open files that import it), checks the file and converts the findings; back on the loop the result
is dropped if the document moved on, else stored (pull) and published (push), and importers re-checked.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.capabilities import get_capability

from ..engine import Project, gc_paused
from ..model import Finding
from ..project.incremental import IncrementalSummarizer
from ..project.prefetch import Prefetch
from ..project.sources import MAX_SOURCE_BYTES, decode_source, summarize_paths
from ..project.summary import FileSummary, SyntaxErrorInfo
from ..project.worker import SummaryWorker, WorkerUnavailable
from .convert import to_diagnostic
from .documents import (
    UTF16,
    DocumentStore,
    Lines,
    TextDocument,
    TextLines,
    content_of,
    path_to_uri,
    uri_to_path,
)
from .projects import Projects
from .scheduler import Scheduler

log = logging.getLogger(__name__)

INTERACTIVE_BUDGET = 0.75  # seconds a hover/definition/code action waits for the analysis thread
MAX_BUFFER_BYTES = MAX_SOURCE_BYTES  # larger open buffers are not analysed, like larger files on disk
INDEX_BATCH = 16  # files summarised per step while indexing (~20 ms): small, so checks interleave with indexing
TYPING_QUIET = 0.3  # seconds without a didChange before indexing goes on
TYPING_PAUSE_LIMIT = 2.0  # seconds indexing may wait for typing at a stretch (see _let_typing_go_first)
TYPING_PAUSE_RATIO = 3.0  # ... and after that, three times as long as it then ran: it never stops
PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass
class ClientFeatures:
    """What the client said it supports, reduced to the questions the server asks."""

    pull_diagnostics: bool = False
    diagnostic_refresh: bool = False
    work_done_progress: bool = False
    resolve_edit: bool = False
    document_changes: bool = False
    related_information: bool = True
    watched_files_registration: bool = False
    configuration: bool = False
    apply_edit: bool = False

    @classmethod
    def from_capabilities(cls, capabilities: types.ClientCapabilities) -> ClientFeatures:
        def has(path: str, default: Any = None) -> Any:
            return get_capability(capabilities, path, default)

        resolve = has("text_document.code_action.resolve_support")
        return cls(
            # pull only when the client can also be asked to re-pull: a module edit changes its importers'
            # diagnostics, and without workspace/diagnostic/refresh (Neovim 0.12) a pull client never hears
            pull_diagnostics=has("text_document.diagnostic") is not None
            and bool(has("workspace.diagnostics.refresh_support", False)),
            diagnostic_refresh=bool(has("workspace.diagnostics.refresh_support", False)),
            work_done_progress=bool(has("window.work_done_progress", False)),
            resolve_edit=bool(resolve is not None and "edit" in (resolve.properties or [])),
            document_changes=bool(has("workspace.workspace_edit.document_changes", False)),
            related_information=bool(has("text_document.publish_diagnostics.related_information", False)),
            watched_files_registration=bool(has("workspace.did_change_watched_files.dynamic_registration", False)),
            configuration=bool(has("workspace.configuration", False)),
            apply_edit=bool(has("workspace.apply_edit", False)),
        )


@dataclass
class Analysis:
    """The latest diagnostics of one open document, for the revision they were computed from."""

    revision: int
    version: int
    findings: list[Finding]
    diagnostics: list[types.Diagnostic]
    result_id: str
    summary: FileSummary | None = None


class LinesSnapshot:
    """A document's lines at one moment, safe to read on the analysis thread while the loop edits."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines

    def line_content(self, line: int) -> str:
        return content_of(self._lines[line]) if 0 <= line < len(self._lines) else ""

    @property
    def line_total(self) -> int:
        return len(self._lines)


@dataclass
class Snapshot:
    """Open documents' texts and lines, taken on the loop, read on the analysis thread."""

    texts: dict[Path, str] = field(default_factory=dict)
    lines: dict[Path, LinesSnapshot] = field(default_factory=dict)
    versions: dict[Path, int] = field(default_factory=dict)

    def read_text(self, path: Path) -> str:
        text = self.texts.get(path)
        if text is not None:
            return text
        return read_disk_text(path)

    def lines_for(self, path: Path) -> Lines:
        lines = self.lines.get(path)
        if lines is not None:
            return lines
        try:
            return TextLines(read_disk_text(path))
        except (OSError, ValueError):
            return TextLines("")


def read_disk_text(path: Path) -> str:
    text, problem = decode_source(path.read_bytes())
    if text is None:
        raise ValueError(f"{path}: {problem}")
    return text


def _imports_module(summary: FileSummary, project: Project, path: Path, module: str) -> bool:
    """Whether the module summarised by `summary` (at `path`) imports `module`, a package of it or a part of it."""
    for record in summary.imports:
        if record.is_from:
            base = project.index.absolute_module(path, record.level, record.module) if record.level else record.module
            if not base:
                continue
            names = [base] + [f"{base}.{n.name}" for n in record.names]
        else:
            names = [n.name for n in record.names]
        for name in names:
            if name == module or module.startswith(name + ".") or name.startswith(module + "."):
                return True
    return False


def too_large(size: int) -> FileSummary:
    """The summary of a buffer too large to analyse (what the index gives such a file on disk)."""
    summary = FileSummary(syntax_error=SyntaxErrorInfo(
        1, 1, f"file too large to analyse ({size // 1024} KiB > {MAX_SOURCE_BYTES // 1024} KiB); "
              "its names are not checked"))
    summary.open_namespace = True
    return summary


def interface_of(summary: FileSummary) -> tuple:
    """What other files see of a module: when this is unchanged, importers need no re-check."""
    return (
        summary.bound, summary.defined, summary.reexports, summary.module_aliases, summary.all_names,
        summary.all_dynamic, summary.star_imports, summary.has_getattr, summary.open_namespace,
        summary.classes, summary.syntax_error,
        tuple((r.is_from, r.module, r.level, tuple((n.name, n.asname) for n in r.names)) for r in summary.imports),
    )


def result_id_of(diagnostics: list[types.Diagnostic], converter: Any) -> str:
    payload = json.dumps(converter.unstructure(diagnostics), sort_keys=True, default=str)
    return hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()


class Session:
    """One client connection's state and the analysis pipeline."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.documents = DocumentStore()
        self.projects = Projects(report_problem=self.show_error)
        self.scheduler = Scheduler(self._analyze, self._debounce_for)
        self.client = ClientFeatures()
        self.summarizers: dict[str, IncrementalSummarizer] = {}  # analysis thread only
        self.interfaces: dict[Path, tuple] = {}  # analysis thread only: the interface handed to the index
        self.analyses: dict[str, Analysis] = {}
        self.open_paths: dict[str, Path] = {}  # open documents' engine paths (written on the loop only)
        self.indexer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="importsense-indexer")
        self.worker: SummaryWorker | None = None  # a child process that parses for the index (else: the indexer thread)
        self.last_edit = 0.0  # loop time of the last didChange: indexing pauses while the user types
        self.changed = asyncio.Event()  # set whenever diagnostics may have changed (workspace pull waits on it)
        self._indexing_tasks: dict[Path, asyncio.Task] = {}
        self._progress_counter = 0
        self._refresh_pending = False
        self.shutting_down = False
        self._preparing: asyncio.Future | None = None  # held so the loop does not drop the running task
        self.collection: Any = None  # features/collection.py (test collection status), set by its register()

    # ---- messages ------------------------------------------------------------
    @property
    def encoding(self) -> str:
        return self.documents.encoding

    def show_error(self, message: str) -> None:
        self._call_on_loop(lambda: self.server.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=message)))

    def _call_on_loop(self, function: Callable[[], None]) -> None:
        loop = getattr(self.server, "loop", None)
        if loop is None or threading.get_ident() == getattr(self.server, "loop_thread", None):
            try:
                function()
            except Exception:
                log.debug("could not send a message", exc_info=True)
        else:
            loop.call_soon_threadsafe(function)

    # ---- documents -------------------------------------------------------------
    def is_python(self, document: TextDocument) -> bool:
        path = document.path
        return path is not None and (path.suffix in PYTHON_SUFFIXES or document.language_id == "python")

    def engine_path(self, document: TextDocument) -> Path | None:
        path = document.path
        if path is None:
            return None
        try:
            return path.resolve()
        except (OSError, RuntimeError):
            return path

    def snapshot(self) -> Snapshot:
        snapshot = Snapshot()
        for document in self.documents:
            path = self.engine_path(document)
            if path is None:
                continue
            snapshot.texts[path] = document.text
            snapshot.lines[path] = LinesSnapshot(list(document.lines))
            snapshot.versions[path] = document.version
        return snapshot

    def document_for_path(self, path: Path) -> TextDocument | None:
        for document in self.documents:
            if self.engine_path(document) == path:
                return document
        return None

    def _debounce_for(self, uri: str) -> int:
        document = self.documents.get(uri)
        path = self.engine_path(document) if document is not None else None
        try:
            return self.projects.debounce_ms(path)
        except Exception:  # noqa: BLE001
            return 100

    async def interactive(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run engine work for a request, giving up (None) when the analysis thread is busy too long.

        A request must be answered promptly even while a huge file is being analysed; the work still
        runs later and its result is dropped.
        """
        try:
            return await asyncio.wait_for(asyncio.shield(self.scheduler.run(function, *args)), INTERACTIVE_BUDGET)
        except asyncio.TimeoutError:
            log.info("the analysis thread is busy: answering without waiting")
            return None

    # ---- the analysis pipeline ------------------------------------------------------
    async def _analyze(self, uri: str) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        revision, version = document.revision, document.version
        path = self.engine_path(document)
        if path is None or not self.is_python(document):
            self._store(uri, document, Analysis(revision, version, [], [], ""))
            return
        text = document.text
        lines = LinesSnapshot(list(document.lines))
        result = await self.scheduler.run(self._check_open, uri, path, text, lines, document, revision, version)
        self.start_indexing()
        if result is None:
            return  # stale before it started: nothing was computed
        findings, diagnostics, summary, importers, interface_changed = result
        # The index took this text's interface even if the text is stale by now, and the next revision only
        # notifies when its interface differs from this one: the files depending on it are told now.
        if importers:
            self.recheck(importers)
        if interface_changed and self.collection is not None:
            self.collection.buffer_changed(path)
        if self.documents.get(uri) is not document or document.revision != revision:
            return  # stale: a newer revision is scheduled; its diagnostics are the ones to publish
        analysis = Analysis(revision, version, findings, diagnostics,
                            result_id_of(diagnostics, self.server.protocol._converter), summary)
        self._store(uri, document, analysis)

    def _store(self, uri: str, document: TextDocument, analysis: Analysis) -> None:
        previous = self.analyses.get(uri)
        self.analyses[uri] = analysis
        self.changed.set()
        if not self.client.pull_diagnostics:
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=analysis.diagnostics, version=analysis.version))
        elif previous is not None and previous.result_id != analysis.result_id and previous.revision == analysis.revision:
            self.request_refresh()  # the text did not change but the diagnostics did (a dependency changed)

    def _check_open(self, uri: str, path: Path, text: str, lines: LinesSnapshot, document: TextDocument,
                    revision: int, version: int) -> tuple | None:
        """Analysis thread: summary, overlay, check and conversion for one open document."""
        if document.revision != revision:
            return None
        started = time.perf_counter()
        project = self.projects.project_for(path)
        if project is None or not project.is_checked(path):
            return [], [], None, set(), False
        if len(text) > MAX_BUFFER_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_BUFFER_BYTES:
            summary = too_large(len(text.encode("utf-8", "surrogatepass")))
        else:
            summarizer = self.summarizers.get(uri)
            prefetch = None
            if summarizer is None:
                summarizer = self.summarizers[uri] = IncrementalSummarizer(str(path))
                prefetch = self._prefetch(project, path, text)
            summary = summarizer.update(text)
            if prefetch is not None:
                prefetch.finish()
                log.debug("%s: %d imported modules summarised by the worker, %d here", path.name,
                          prefetch.from_worker, prefetch.here)
        importers: set[Path] = set()
        interface = interface_of(summary)
        interface_changed = self.interfaces.get(path) != interface
        if interface_changed:
            project.index.set_overlay(path, text, summary)
            self.interfaces[path] = interface
            importers = self._open_importers(project, path)
        summarized = time.perf_counter()
        findings = project.check_file(path, summary=summary)
        if self.collection is not None:
            findings = findings + self.collection.findings_for(project.settings, path, lines)
        diagnostics = self.to_diagnostics(findings, lines, version)
        log.debug("%s v%s: %d findings; summary %.0f ms, check %.0f ms", path.name, version, len(findings),
                  (summarized - started) * 1000, (time.perf_counter() - summarized) * 1000)
        return findings, diagnostics, summary, importers, interface_changed

    def _prefetch(self, project: Project, path: Path, text: str) -> Prefetch | None:
        """First check of a document: the worker parses the modules it imports while this thread parses it."""
        try:
            return Prefetch.start(project.index, path, text, self.worker)
        except Exception:  # noqa: BLE001 - only a head start: the check summarises what it needs anyway
            log.debug("prefetching the imports of %s failed", path, exc_info=True)
            return None

    def _open_importers(self, project: Project, path: Path) -> set[Path]:
        """The open documents to re-check after `path`'s interface changed (analysis thread).

        Once the project is indexed the index answers (importers, transitively). Before that, building
        the reverse-import table would parse the whole workspace in the middle of a keystroke: the open
        documents that import the module directly are found from their own summaries instead (and every
        open document is re-checked when indexing ends).
        """
        others = [(uri, p) for uri, p in self.open_paths.items() if p != path and self.projects.root_for(p) == project.root]
        if not others:
            return set()
        entry = self.projects.entry(project.root)
        if entry is not None and entry.indexed:
            return project.index.importers_of(path)
        module = project.index.module_name_for(path)
        if module is None:
            return set()
        found = set()
        for uri, other in others:
            summarizer = self.summarizers.get(uri)
            summary = summarizer.summary if summarizer is not None else None
            if summary is not None and _imports_module(summary, project, other, module):
                found.add(other)
        return found

    def to_diagnostics(self, findings: Iterable[Finding], lines: Lines, version: int | None) -> list[types.Diagnostic]:
        result = []
        for finding in findings:
            diagnostic = to_diagnostic(finding, lines, self.encoding, self._lines_for_related,
                                       self.client.related_information)
            if isinstance(diagnostic.data, dict):
                diagnostic.data["version"] = version
            result.append(diagnostic)
        return result

    def _lines_for_related(self, path: Path) -> Lines:
        try:
            return TextLines(read_disk_text(path))
        except (OSError, ValueError):
            return TextLines("")

    def recheck(self, paths: Iterable[Path]) -> None:
        """Re-analyse the open documents among `paths` (their imports changed)."""
        for path in paths:
            document = self.document_for_path(path)
            if document is not None:
                self.scheduler.schedule(document.uri)

    def recheck_all(self) -> None:
        for document in self.documents:
            self.scheduler.schedule(document.uri, 0)

    def request_refresh(self) -> None:
        if not (self.client.pull_diagnostics and self.client.diagnostic_refresh) or self._refresh_pending:
            return
        self._refresh_pending = True

        def send() -> None:
            self._refresh_pending = False
            try:
                self.server.workspace_diagnostic_refresh(None)
            except Exception:
                log.debug("diagnostic refresh failed", exc_info=True)

        asyncio.get_running_loop().call_later(0.05, send)

    async def fresh_analysis(self, uri: str) -> Analysis | None:
        """The analysis of the document's current revision (running one now when needed)."""
        for _ in range(5):
            document = self.documents.get(uri)
            if document is None:
                return None
            analysis = self.analyses.get(uri)
            if analysis is not None and analysis.revision == document.revision:
                return analysis
            await self.scheduler.now(uri)
        return self.analyses.get(uri)

    # ---- open / change / close -------------------------------------------------------
    def opened(self, uri: str, language_id: str, version: int, text: str) -> None:
        document = self.documents.open(uri, language_id, version, text)
        path = self.engine_path(document)
        if path is not None:
            self.open_paths = {**self.open_paths, uri: path}
            if self.collection is not None:
                self.collection.opened(path)
        self.scheduler.schedule(uri, 0)

    def changed_text(self, uri: str, version: int, changes: list[Any]) -> None:
        document = self.documents.get(uri)
        if document is None:
            log.warning("didChange for a document that is not open: %s", uri)
            return
        self.last_edit = asyncio.get_running_loop().time()
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                start, end = change.range.start, change.range.end
                document.apply_change((start.line, start.character), (end.line, end.character), change.text,
                                      self.encoding)
            else:
                document.set_text(change.text)
        document.version = version
        self.scheduler.schedule(uri)

    def closed(self, uri: str) -> None:
        """Forget the document now (a didOpen may follow at once); clean the index up in the background."""
        document = self.documents.close(uri)
        self.open_paths = {k: v for k, v in self.open_paths.items() if k != uri}
        self.scheduler.cancel(uri)
        self.analyses.pop(uri, None)
        if not self.client.pull_diagnostics:
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        path = self.engine_path(document) if document is not None else None
        if path is not None:
            asyncio.ensure_future(self._after_close(uri, path))

    async def _after_close(self, uri: str, path: Path) -> None:
        importers = await self.scheduler.run(self._forget, uri, path)
        self.recheck(importers)
        if self.collection is not None:
            self.collection.buffer_changed(path)  # the index reads the file from disk again

    def _forget(self, uri: str, path: Path) -> set[Path]:
        if self.documents.get(uri) is not None:
            return set()  # opened again meanwhile: its own analysis owns the overlay now
        self.summarizers.pop(uri, None)
        self.interfaces.pop(path, None)
        root = self.projects.root_for(path)
        entry = self.projects.entry(root) if root is not None else None
        if entry is None:
            return set()
        project = entry.project
        project.index.file_changed(path)  # its disk summary may be older than what was saved
        return project.clear_overlay(path)

    async def saved(self, uri: str) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        path = self.engine_path(document)
        if path is not None:
            await self.scheduler.run(self._saved, path)
            if self.collection is not None:
                self.collection.saved(path)

    def _saved(self, path: Path) -> None:
        root = self.projects.root_for(path)
        entry = self.projects.entry(root) if root is not None else None
        if entry is not None:
            entry.project.index.file_changed(path)

    # ---- files changed on disk -------------------------------------------------------------
    async def files_changed(self, changes: list[tuple[Path, str]]) -> None:
        """Watched files created, changed or deleted: re-index them and re-check what imports them."""
        config_roots: set[Path] = set()
        sources: list[Path] = []
        for path, kind in changes:
            if path.name == "pyproject.toml":
                config_roots.add(path.parent)
            elif path.suffix in PYTHON_SUFFIXES:
                sources.append(path)
        if config_roots:
            await self.reconfigure()
        if sources:
            importers = await self.scheduler.run(self._files_changed, sources)
            self.recheck(importers)
            self.changed.set()
            self.request_refresh()
        if self.collection is not None:
            self.collection.files_changed([path for path, _ in changes])

    def _files_changed(self, paths: list[Path]) -> set[Path]:
        importers: set[Path] = set()
        for path in paths:
            root = self.projects.root_for(path)
            entry = self.projects.entry(root) if root is not None else None
            if entry is None:
                continue
            project = entry.project
            importers |= project.file_changed(path)
            if path.exists() and path not in project.files and project.index.is_first_party_path(path):
                project.files.append(path)
            elif not path.exists() and path in project.files:
                project.files.remove(path)
        return importers

    # ---- settings -------------------------------------------------------------------------
    async def reconfigure(self) -> None:
        """Settings changed (editor or pyproject.toml): rebuild the projects whose engine view changed."""
        self.projects.forget_settings()
        stale = await self.scheduler.run(self.projects.stale_roots)
        if stale:
            for root in stale:
                task = self._indexing_tasks.pop(root, None)
                if task is not None:
                    task.cancel()
            await self.scheduler.run(self._drop_projects, stale)
            await self.open_folders()
        self.recheck_all()
        if self.collection is not None:
            self.collection.reconfigured(stale)

    def _drop_projects(self, roots: list[Path]) -> None:
        for root in roots:
            self.projects.drop(root)
        self.interfaces.clear()  # new projects have no overlays yet

    # ---- indexing ---------------------------------------------------------------------------
    def start_indexing(self) -> None:
        """Index every project that is not indexed yet, in the background, with progress."""
        if self.shutting_down:
            return
        for root, entry in self.projects.entries():
            if not entry.indexed and not entry.indexing and root not in self._indexing_tasks:
                entry.indexing = True
                task = asyncio.ensure_future(self._index(root, entry.project))
                self._indexing_tasks[root] = task

    def prepare_folders(self) -> None:
        """Start building the workspace folders' projects on the analysis thread (no indexing, no requests)."""
        async def prepare() -> None:
            for folder in list(self.projects.folders):
                try:
                    await self.scheduler.run(self.projects.project_at, folder)
                except Exception:  # noqa: BLE001 - open_folders reports it
                    log.debug("preparing %s failed", folder, exc_info=True)

        if not self.shutting_down:
            self._preparing = asyncio.ensure_future(prepare())

    async def open_folders(self) -> None:
        """Build the projects of the workspace folders (on the analysis thread) and index them."""
        for folder in list(self.projects.folders):
            await self.scheduler.run(self.projects.project_at, folder)
        self.start_indexing()

    async def _index(self, root: Path, project: Project) -> None:
        entry = self.projects.entry(root)
        progress = Progress(self, f"Indexing {root.name or root}")
        try:
            await self._let_open_documents_go_first(root)
            todo = await self.scheduler.run(
                lambda: [p for p in list(project.index.first_party_files) if project.index.needs_summary(p)])
            await progress.begin(len(todo))
            loop = asyncio.get_running_loop()
            done = 0
            pause_credit = TYPING_PAUSE_LIMIT
            for start in range(0, len(todo), INDEX_BATCH):
                pause_credit -= await self._let_typing_go_first(pause_credit)
                batch = [str(p) for p in todo[start:start + INDEX_BATCH]]
                step_started = loop.time()
                results = await self._summarize(batch)
                await self.scheduler.run(self._adopt, project, results)
                pause_credit = min(TYPING_PAUSE_LIMIT,
                                   pause_credit + TYPING_PAUSE_RATIO * (loop.time() - step_started))
                done += len(batch)
                progress.report(done, len(todo))
            await self.scheduler.run(project.probe_environment)
            await self.scheduler.run(project.save)
            if entry is not None:
                entry.indexed = True
            log.info("indexed %s: %d files parsed", root, len(todo))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("indexing %s failed", root)
        finally:
            if entry is not None:
                entry.indexing = False
            self._indexing_tasks.pop(root, None)
            progress.end()
        if self.projects.entry(root) is entry and not self.shutting_down:
            for document in self.documents:  # the environment probe may resolve more imports now
                path = self.engine_path(document)
                if path is not None and self.projects.root_for(path) == root:
                    self.scheduler.schedule(document.uri, 0)
            self.changed.set()
            if self.collection is not None:
                self.collection.indexed(root)

    async def _summarize(self, batch: list[str]) -> list:
        """Records for one indexing step: from the worker process, else on the indexer thread."""
        worker = self.worker
        if worker is not None:
            try:
                return await asyncio.wrap_future(worker.submit(batch))
            except WorkerUnavailable:
                pass
        return await asyncio.get_running_loop().run_in_executor(self.indexer, _summarize_batch, batch)

    async def _let_typing_go_first(self, credit: float) -> float:
        """Before an indexing step: while the user is typing (a didChange in the last TYPING_QUIET
        seconds) wait, at most `credit` seconds, so the step does not take turns with the edits'
        analyses for the interpreter lock (their diagnostics would wait: measured p95 41 ms against
        17 ms with nothing else running, on a 5,000-line module). Returns how long it waited.

        The caller earns credit as it indexes (TYPING_PAUSE_RATIO x the time each step ran): under
        continuous typing indexing slows to a quarter of its speed, and never stops.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        while (loop.time() - self.last_edit < TYPING_QUIET and loop.time() - started < credit
               and not self.shutting_down):
            await asyncio.sleep(TYPING_QUIET / 4)
        return loop.time() - started

    async def _let_open_documents_go_first(self, root: Path, limit: float = 1.0) -> None:
        """Indexing competes for the CPU: wait (a little) until the open documents have their first diagnostics."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while loop.time() < deadline:
            waiting = [uri for uri, path in self.open_paths.items()
                       if uri not in self.analyses and self.projects.root_for(path) == root]
            if not waiting:
                return
            await asyncio.sleep(0.02)

    @staticmethod
    def _adopt(project: Project, results: list) -> None:
        index = project.index
        fresh = {}
        for key, entry in results:
            if entry is None:
                continue
            path = Path(key)
            if index.needs_summary(path):
                fresh[key] = entry
        if fresh:
            index.adopt_entries(fresh)

    # ---- shutdown ----------------------------------------------------------------------------
    async def shutdown(self) -> None:
        self.shutting_down = True
        for task in list(self._indexing_tasks.values()):
            task.cancel()
        if self.collection is not None:
            await self.collection.shutdown()
        try:
            await asyncio.wait_for(self.scheduler.run(self._save_all), timeout=5)
        except Exception:
            log.debug("saving caches at shutdown failed", exc_info=True)
        self.scheduler.close()
        self.indexer.shutdown(wait=False, cancel_futures=True)
        if self.worker is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.worker.close)

    def _save_all(self) -> None:
        for _, entry in self.projects.entries():
            try:
                entry.project.save()
            except Exception:
                log.debug("could not save the cache", exc_info=True)


class Progress:
    """window/workDoneProgress when the client supports it; log lines otherwise."""

    def __init__(self, session: Session, title: str) -> None:
        self.session = session
        self.title = title
        self.token: str | None = None
        self._last_percent = -1

    async def begin(self, total: int, cancellable: bool = False) -> None:
        session = self.session
        log.info("%s: %d files", self.title, total)
        if not session.client.work_done_progress:
            return
        session._progress_counter += 1
        token = f"importsense-{session._progress_counter}"
        try:
            await asyncio.wait_for(session.server.work_done_progress.create_async(token), timeout=10)
        except Exception:
            log.debug("work done progress refused", exc_info=True)
            return
        self.token = token
        session.server.work_done_progress.begin(token, types.WorkDoneProgressBegin(
            title=self.title, percentage=0, cancellable=cancellable, message=f"0/{total}"))

    def report(self, done: int, total: int) -> None:
        if self.token is None or total <= 0:
            return
        percent = int(done * 100 / total)
        if percent == self._last_percent:
            return
        self._last_percent = percent
        self.session.server.work_done_progress.report(self.token, types.WorkDoneProgressReport(
            percentage=percent, message=f"{done}/{total}"))

    def end(self, message: str = "done") -> None:
        if self.token is None:
            return
        self.session.server.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
        self.token = None


def _summarize_batch(paths: list[str]) -> list:
    """Indexer thread: one batch of files, with the cyclic GC paused (see engine.gc_paused)."""
    with gc_paused():
        return summarize_paths(paths)


def uri_path(uri: str) -> Path | None:
    path = uri_to_path(uri)
    if path is None:
        return None
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


__all__ = ["UTF16", "Analysis", "ClientFeatures", "Progress", "Session", "Snapshot", "interface_of", "path_to_uri"]
