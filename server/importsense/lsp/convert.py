"""The one place that converts between the engine's positions and LSP's: Span <-> Range, Finding -> Diagnostic,
Fix -> WorkspaceEdit.

`model.Span` is 1-based lines and 1-based code-point columns (end exclusive); LSP positions are 0-based
lines and 0-based columns counted in the negotiated encoding (UTF-16 unless the client chose otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..model import Finding, Fix, Severity, Span
from .documents import (
    UTF16,
    Lines,
    TextLines,
    column_to_index,
    index_to_column,
    path_to_uri,
)

SOURCE = "importsense"

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}

LinesFor = Callable[[Path], Lines]


def to_position(lines: Lines, line: int, column: int, encoding: str = UTF16) -> types.Position:
    """LSP position of a 1-based line and 1-based code-point column (clamped into the text)."""
    zero_line = max(line - 1, 0)
    if zero_line >= lines.line_total:
        zero_line = max(lines.line_total - 1, 0)
        content = lines.line_content(zero_line)
        return types.Position(zero_line, index_to_column(content, len(content), encoding))
    content = lines.line_content(zero_line)
    return types.Position(zero_line, index_to_column(content, max(column - 1, 0), encoding))


def to_range(lines: Lines, span: Span, encoding: str = UTF16) -> types.Range:
    start = to_position(lines, span.start_line, span.start_column, encoding)
    end = to_position(lines, span.end_line, span.end_column, encoding)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start, end)


def to_span(lines: Lines, range_: types.Range, encoding: str = UTF16) -> Span:
    """The Span of an LSP range (columns clamped to their lines)."""
    def point(position: types.Position) -> tuple[int, int]:
        content = lines.line_content(position.line)
        return position.line + 1, column_to_index(content, position.character, encoding) + 1

    start_line, start_column = point(range_.start)
    end_line, end_column = point(range_.end)
    return Span(start_line, start_column, end_line, end_column)


def severity(value: Severity) -> types.DiagnosticSeverity:
    return _SEVERITIES[value]


def diagnostic_data(finding: Finding) -> dict[str, Any]:
    """What `Diagnostic.data` carries: the rule and the fix intents, so code actions need no re-analysis."""
    return {"rule": finding.rule, "intents": [intent.to_data() for intent in finding.intents]}


def to_diagnostic(finding: Finding, lines: Lines, encoding: str = UTF16,
                  lines_for: LinesFor | None = None, related_support: bool = True) -> types.Diagnostic:
    """One Finding as an LSP Diagnostic (code = rule, source = importsense, data = rule + intents)."""
    message = finding.message
    if finding.suggestions:
        message = message + "\n" + "\n".join(finding.suggestions)
    related = None
    if finding.related and related_support:
        related = []
        for path, span, text in finding.related:
            other = lines_for(path) if lines_for is not None else TextLines("")
            related.append(types.DiagnosticRelatedInformation(
                location=types.Location(uri=path_to_uri(path), range=to_range(other, span, encoding)),
                message=text,
            ))
    return types.Diagnostic(
        range=to_range(lines, finding.span, encoding),
        message=message,
        severity=severity(finding.severity),
        code=finding.rule,
        source=SOURCE,
        related_information=related,
        data=diagnostic_data(finding),
    )


def to_text_edits(fix: Fix, path: Path, lines: Lines, encoding: str = UTF16) -> list[types.TextEdit]:
    return [
        types.TextEdit(range=to_range(lines, edit.span, encoding), new_text=edit.new_text)
        for edit in fix.edits if edit.path == path
    ]


def to_workspace_edit(fixes: Iterable[Fix], lines_for: LinesFor, encoding: str = UTF16,
                      versions: dict[Path, int] | None = None,
                      document_changes: bool = False) -> types.WorkspaceEdit:
    """The edits of one or more fixes, grouped by file.

    With `document_changes` (the client supports versioned edits) open files carry their version so a
    client refuses an edit made against text it no longer has.
    """
    by_path: dict[Path, list[types.TextEdit]] = {}
    for fix in fixes:
        for edit in fix.edits:
            lines = lines_for(edit.path)
            by_path.setdefault(edit.path, []).append(
                types.TextEdit(range=to_range(lines, edit.span, encoding), new_text=edit.new_text)
            )
    versions = versions or {}
    if document_changes:
        return types.WorkspaceEdit(document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=path_to_uri(path), version=versions.get(path)),
                edits=edits,
            )
            for path, edits in by_path.items()
        ])
    return types.WorkspaceEdit(changes={path_to_uri(path): edits for path, edits in by_path.items()})
