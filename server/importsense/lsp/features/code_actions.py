"""Code actions: one per fix intent carried in a diagnostic's data, `source.fixAll.importsense`, and resolve."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lsprotocol import types

from ...model import AbsolutizeImport, Fix, FixIntent, intent_from_data
from ..convert import SOURCE, to_workspace_edit
from ..session import Session, Snapshot

log = logging.getLogger(__name__)

FIX_ALL_KIND = "source.fixAll.importsense"
QUICKFIX = types.CodeActionKind.QuickFix.value
ACTION_KINDS = [types.CodeActionKind.QuickFix, FIX_ALL_KIND]
MARK = "importsense"  # key in CodeAction.data that marks our lazily resolved actions


def register(server: Any, session: Session) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=ACTION_KINDS, resolve_provider=True))
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return await code_actions(session, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve(action: types.CodeAction) -> types.CodeAction:
        return await resolve_action(session, action)


def _wanted(kind: str, only: list[str] | None) -> bool:
    if not only:
        return True
    return any(kind == wanted or kind.startswith(wanted + ".") for wanted in only)


async def code_actions(session: Session, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    document = session.documents.get(uri)
    if document is None:
        return None
    only = [str(kind.value if hasattr(kind, "value") else kind) for kind in (params.context.only or [])] or None
    path = session.engine_path(document)
    actions: list[types.CodeAction] = []
    pending: list[tuple[types.CodeAction, FixIntent]] = []
    relative_here = False
    if _wanted(QUICKFIX, only):
        current = None
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE:
                continue
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            relative_here = relative_here or data.get("rule") == "relative-import"
            intents_data = data.get("intents")
            if data.get("version") != document.version or not isinstance(intents_data, list):
                # made for an older text: take the intents of the current analysis at the same place
                current = current or await session.fresh_analysis(uri)
                intents_data = _current_intents(current, diagnostic)
            for intent_data in intents_data:
                try:
                    intent = intent_from_data(intent_data)
                except (KeyError, TypeError, ValueError):
                    continue
                action = types.CodeAction(
                    title=intent.title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                    is_preferred=True if intent.preferred else None,
                    data={MARK: 1, "uri": uri, "intent": intent_data},
                )
                pending.append((action, intent))
    if pending:
        if session.client.resolve_edit:
            actions.extend(action for action, _ in pending)  # the edit is made in codeAction/resolve
        else:
            snapshot = session.snapshot()
            fixes = await session.interactive(lambda: [_build(intent, snapshot) for _, intent in pending])
            for (action, _), fix in zip(pending, fixes or []):
                if fix is not None:
                    action.edit = _edit(session, [fix], snapshot)
                    actions.append(action)
    if path is not None and _wanted(FIX_ALL_KIND, only) and (only or relative_here):
        fix_all = await _fix_all(session, uri, path)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


def _current_intents(analysis: Any, diagnostic: types.Diagnostic) -> list[dict]:
    if analysis is None:
        return []
    for finding, current in zip(analysis.findings, analysis.diagnostics):
        if current.code == diagnostic.code and current.range == diagnostic.range:
            return [intent.to_data() for intent in finding.intents]
    return []


def _build(intent: FixIntent, snapshot: Snapshot) -> Fix | None:
    from ...fixes import build_fix  # libcst loads on first use, not at start-up

    try:
        return build_fix(intent, snapshot.read_text)
    except (OSError, ValueError):
        return None
    except Exception:
        log.exception("building the fix %r failed", intent.title)
        return None


def _edit(session: Session, fixes: list[Fix], snapshot: Snapshot) -> types.WorkspaceEdit:
    return to_workspace_edit(fixes, snapshot.lines_for, session.encoding, snapshot.versions,
                             session.client.document_changes)


async def _fix_all(session: Session, uri: str, path: Path) -> types.CodeAction | None:
    analysis = await session.fresh_analysis(uri)
    if analysis is None:
        return None
    intents = [i for f in analysis.findings if f.rule == "relative-import" for i in f.intents
               if isinstance(i, AbsolutizeImport)]
    if not intents:
        return None
    snapshot = session.snapshot()
    text = snapshot.texts.get(path)
    if text is None:
        return None
    from ...fixes import absolutize_all

    fix = await session.scheduler.run(absolutize_all, path, text, intents)
    if fix is None:
        return None
    return types.CodeAction(title="Convert all relative imports to absolute", kind=FIX_ALL_KIND,
                            edit=_edit(session, [fix], snapshot))


async def resolve_action(session: Session, action: types.CodeAction) -> types.CodeAction:
    """Fill in the edit of an action offered lazily; any other action comes back unchanged."""
    data = action.data
    if action.edit is not None or not isinstance(data, dict) or MARK not in data:
        return action
    try:
        intent = intent_from_data(data["intent"])
    except (KeyError, TypeError, ValueError):
        return action
    snapshot = session.snapshot()
    fix = await session.scheduler.run(_build, intent, snapshot)
    if fix is None:
        log.info("the fix %r no longer applies", intent.title)
        return action
    action.edit = _edit(session, [fix], snapshot)
    return action
