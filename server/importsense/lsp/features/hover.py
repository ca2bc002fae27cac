"""Hover on an import: where it resolves (the file), or "not found" and why."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from ..convert import to_range
from ..session import Session
from .definition import destination_at


def register(server: Any, session: Session) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> types.Hover | None:
        found = await destination_at(session, params.text_document.uri, params.position)
        if found is None:
            return None
        destination, span, lines = found
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=destination.description),
            range=to_range(lines, span, session.encoding),
        )
