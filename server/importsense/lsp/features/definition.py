"""Go to definition on a module (or name) in an import: the file it resolves to."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from ..documents import column_to_index, path_to_uri
from ..session import LinesSnapshot, Session
from ..targets import Destination, describe, target_at


def register(server: Any, session: Session) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(params: types.DefinitionParams) -> list[types.Location] | None:
        found = await destination_at(session, params.text_document.uri, params.position)
        if found is None:
            return None
        destination = found[0]
        if destination.path is None:
            return None
        line = max(destination.line - 1, 0)
        return [types.Location(uri=path_to_uri(destination.path),
                               range=types.Range(types.Position(line, 0), types.Position(line, 0)))]


async def destination_at(session: Session, uri: str, position: types.Position):
    """(Destination, span of the target, lines) for the import at `position`, or None."""
    document = session.documents.get(uri)
    if document is None:
        return None
    path = session.engine_path(document)
    if path is None:
        return None
    content = document.line_content(position.line)
    line, column = position.line + 1, column_to_index(content, position.character, session.encoding) + 1
    text = document.text
    lines = LinesSnapshot(list(document.lines))

    def find() -> tuple[Destination, object] | None:
        project = session.projects.project_for(path)
        if project is None:
            return None
        summarizer = session.summarizers.get(uri)
        if summarizer is None:
            from ...project.incremental import IncrementalSummarizer

            summarizer = session.summarizers[uri] = IncrementalSummarizer(str(path))
        summary = summarizer.update(text)
        target = target_at(summary, project, path, line, column)
        if target is None:
            return None
        return describe(target, project), target.span

    result = await session.interactive(find)
    if result is None:
        return None
    return result[0], result[1], lines
