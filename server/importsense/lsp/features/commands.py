"""Commands: `importsense.convertWorkspaceToAbsolute` rewrites every relative import in the workspace."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lsprotocol import types

from ...model import AbsolutizeImport, Fix
from ...project.summary import summarize_source
from ..convert import to_workspace_edit
from ..session import Progress, Session, Snapshot, read_disk_text

log = logging.getLogger(__name__)

CONVERT_WORKSPACE = "importsense.convertWorkspaceToAbsolute"
EDIT_BATCH = 100  # files per workspace/applyEdit


def register(server: Any, session: Session) -> None:
    @server.command(CONVERT_WORKSPACE)
    async def convert_workspace(*args: Any) -> dict[str, Any]:
        return await convert_workspace_to_absolute(server, session)


async def convert_workspace_to_absolute(server: Any, session: Session) -> dict[str, Any]:
    """Every relative import in every project made absolute, applied through workspace/applyEdit."""
    await session.open_folders()
    snapshot = session.snapshot()
    candidates: list[Path] = await session.scheduler.run(_files_with_relative_imports, session, snapshot)
    progress = Progress(session, "Converting relative imports")
    await progress.begin(len(candidates))
    fixes: list[Fix] = []
    skipped: list[str] = []
    changed = imports = 0
    try:
        for number, path in enumerate(candidates, 1):
            fix = await session.scheduler.run(_fix_for, session, snapshot, path)
            if isinstance(fix, str):
                skipped.append(fix)
            elif fix is not None:
                fixes.append(fix)
                imports += len(fix.edits)
            progress.report(number, len(candidates))
            if len(fixes) >= EDIT_BATCH:
                changed += await _apply(server, session, fixes, snapshot, skipped)
                fixes = []
        if fixes:
            changed += await _apply(server, session, fixes, snapshot, skipped)
    finally:
        progress.end(f"{changed} files")
    log.info("converted %d relative imports in %d files (%d skipped)", imports, changed, len(skipped))
    return {"files": changed, "imports": imports, "skipped": skipped}


def _files_with_relative_imports(session: Session, snapshot: Snapshot) -> list[Path]:
    """Files whose indexed (or open) summary has a relative import: the only ones worth re-reading."""
    found: list[Path] = []
    for _, entry in session.projects.entries():
        project = entry.project
        paths = list(project.files) + [p for p in snapshot.texts if p not in project.files
                                       and session.projects.root_for(p) == project.root]
        for path in paths:
            if path.suffix != ".py" or not project.is_checked(path):
                continue
            summary = project.index.summary(path)
            if summary is not None and any(r.is_from and r.level for r in summary.imports):
                found.append(path)
    return sorted(set(found))


def _fix_for(session: Session, snapshot: Snapshot, path: Path) -> Fix | str | None:
    """The fix for one file, from the text it will be applied to; a string says why the file was skipped."""
    project = session.projects.project_for(path)
    if project is None:
        return None
    open_text = snapshot.texts.get(path)
    try:
        text = open_text if open_text is not None else read_disk_text(path)
    except (OSError, ValueError) as error:
        return f"{path}: {error}"
    summary = summarize_source(text, str(path))
    if open_text is None:
        indexed = project.index.summary(path)
        if indexed is not None and indexed.imports != summary.imports:
            return f"{path}: changed on disk since it was indexed"
    from ...fixes import absolutize_all  # libcst loads on first use, not at start-up

    findings = project.check_file(path, summary=summary)
    intents = [i for f in findings if f.rule == "relative-import" for i in f.intents if isinstance(i, AbsolutizeImport)]
    if not intents:
        return None
    return absolutize_all(path, text, intents)


async def _apply(server: Any, session: Session, fixes: list[Fix], snapshot: Snapshot, skipped: list[str]) -> int:
    if not session.client.apply_edit:
        skipped.extend(f"{fix.edits[0].path}: the client cannot apply edits" for fix in fixes if fix.edits)
        return 0
    edit = to_workspace_edit(fixes, snapshot.lines_for, session.encoding, snapshot.versions,
                             session.client.document_changes)
    result = await server.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
        edit=edit, label="Convert relative imports to absolute"))
    if result is None or not result.applied:
        reason = getattr(result, "failure_reason", None) or "the client did not apply the edit"
        skipped.extend(f"{fix.edits[0].path}: {reason}" for fix in fixes if fix.edits)
        return 0
    return len(fixes)
