"""Text synchronisation and diagnostics: didOpen/didChange/didSave/didClose, push, and pull (document and workspace)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..documents import TextLines, path_to_uri
from ..session import Session, read_disk_text, result_id_of

WORKSPACE_BATCH = 32  # closed files checked per analysis-thread step for workspace/diagnostic
WORKSPACE_WAIT = 60.0  # a workspace pull with nothing new waits this long for a change (long poll)


def register(server: Any, session: Session) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        document = params.text_document
        session.opened(document.uri, document.language_id, document.version, document.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        session.changed_text(params.text_document.uri, params.text_document.version, params.content_changes)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(params: types.DidSaveTextDocumentParams) -> None:
        await session.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        session.closed(params.text_document.uri)


def register_pull(server: Any, session: Session) -> None:
    """textDocument/diagnostic and workspace/diagnostic, for clients that pull."""

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
        identifier="importsense", inter_file_dependencies=True, workspace_diagnostics=True))
    async def document_diagnostic(params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        uri = params.text_document.uri
        if session.documents.get(uri) is not None:
            analysis = await session.fresh_analysis(uri)
            diagnostics = analysis.diagnostics if analysis is not None else []
            result_id = analysis.result_id if analysis is not None else ""
        else:
            diagnostics = await _closed_file_diagnostics(session, uri)
            result_id = result_id_of(diagnostics, server.protocol._converter)
        if result_id and params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=diagnostics, result_id=result_id or None)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
        previous = {item.uri: item.value for item in (params.previous_result_ids or [])}
        while True:
            session.changed.clear()
            reports = await _workspace_reports(server, session, previous)
            unchanged = all(isinstance(r, types.WorkspaceUnchangedDocumentDiagnosticReport) for r in reports)
            if not previous or not unchanged:
                return types.WorkspaceDiagnosticReport(items=reports)
            try:  # nothing new since the client's last pull: hold the request until something changes
                await asyncio.wait_for(session.changed.wait(), timeout=WORKSPACE_WAIT)
            except asyncio.TimeoutError:
                return types.WorkspaceDiagnosticReport(items=reports)


async def _closed_file_diagnostics(session: Session, uri: str) -> list[types.Diagnostic]:
    from ..documents import uri_to_path

    path = uri_to_path(uri)
    if path is None or path.suffix not in (".py", ".pyi"):
        return []
    path = path.resolve()
    return await session.scheduler.run(_check_closed, session, path)


def _check_closed(session: Session, path: Path) -> list[types.Diagnostic]:
    project = session.projects.project_for(path)
    if project is None or not project.is_checked(path) or not path.exists():
        return []
    findings = project.check_file(path)
    collection = session.collection
    if not findings and (collection is None or path not in collection.shown):
        return []
    try:
        lines = TextLines(read_disk_text(path))
    except (OSError, ValueError):
        lines = TextLines("")
    if collection is not None:  # a test file that cannot be collected, as an open one would show it
        findings = findings + collection.findings_for(project.settings, path, lines)
    return session.to_diagnostics(findings, lines, None)


async def _workspace_reports(server: Any, session: Session, previous: dict[str, str]) -> list:
    converter = server.protocol._converter
    await session.open_folders()
    reports: list = []
    open_paths: set[Path] = set()
    for document in session.documents:
        path = session.engine_path(document)
        if path is not None:
            open_paths.add(path)
        analysis = await session.fresh_analysis(document.uri)
        if analysis is None:
            continue
        reports.append(_report(document.uri, analysis.diagnostics, analysis.result_id, analysis.version, previous))
    paths: list[Path] = []
    for _, entry in session.projects.entries():
        paths.extend(p for p in entry.project.files if p not in open_paths)
    for start in range(0, len(paths), WORKSPACE_BATCH):
        batch = paths[start:start + WORKSPACE_BATCH]
        results = await session.scheduler.run(lambda b=batch: [(p, _check_closed(session, p)) for p in b])
        for path, diagnostics in results:
            uri = path_to_uri(path)
            reports.append(_report(uri, diagnostics, result_id_of(diagnostics, converter), None, previous))
    return reports


def _report(uri: str, diagnostics: list, result_id: str, version: int | None, previous: dict[str, str]):
    if previous.get(uri) == result_id:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id, version=version)
    return types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=diagnostics, version=version,
                                                       result_id=result_id)
