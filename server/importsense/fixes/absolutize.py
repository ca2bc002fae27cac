"""Rewrite the module part of `from ... import` statements, e.g. relative imports made absolute."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import libcst as cst

from ..model import AbsolutizeImport, Fix, Span, TextEdit
from .edits import (
    ParsedSource,
    apply_edits,
    from_statement_lines,
    is_dotted_name,
    offsets_to_span,
    parse_source,
    parses,
)
from .edits import span_to_offsets as span_offsets

ALL_TITLE = "Make all relative imports absolute"


def find_import_from(source: ParsedSource, span: Span) -> cst.ImportFrom | None:
    """The `from` import statement starting at `span`'s start (or the only one on that line)."""
    on_line: list[cst.ImportFrom] = []
    for node, code_range in source.positions.items():
        if (
            not isinstance(node, cst.ImportFrom)
            or code_range.start.line != span.start_line
        ):
            continue
        if code_range.start.column + 1 == span.start_column:
            return node
        on_line.append(node)
    return on_line[0] if len(on_line) == 1 else None


def module_offsets(source: ParsedSource, node: cst.ImportFrom) -> tuple[int, int]:
    """String indices of the module part of `node`: its leading dots and dotted name."""
    parts: list[cst.CSTNode] = list(node.relative)
    if node.module is not None:
        parts.append(node.module)
    return source.start(parts[0]), source.end(parts[-1])


def module_edit(
    source: ParsedSource, path: Path, node: cst.ImportFrom, new_module: str
) -> TextEdit | None:
    """The minimal edit replacing `node`'s module part with `new_module`; None when nothing changes."""
    start, end = module_offsets(source, node)
    text = source.text
    if text[start:end] == new_module:
        return None
    replacement = new_module
    if start > 0 and _glues(text[start - 1]):  # `from.import x`
        replacement = " " + replacement
    if end < len(text) and _glues(text[end]):
        replacement = replacement + " "
    return TextEdit(path, offsets_to_span(text, start, end), replacement)


def _glues(character: str) -> bool:
    return character.isidentifier() or character.isdigit()


def absolutize(intent: AbsolutizeImport, text: str) -> Fix | None:
    """One safe fix rewriting the module part of the import at `intent.span`."""
    if not is_dotted_name(intent.absolute_module):
        return None
    fast = _absolutize_statement_only(intent, text)
    if fast is not None:
        return fast
    source = parse_source(text)
    if source is None:
        return None
    node = find_import_from(source, intent.span)
    if node is None:
        return None
    edit = module_edit(source, intent.path, node, intent.absolute_module)
    if edit is None or not parses(apply_edits(text, [edit])):
        return None
    return Fix(title=intent.title, edits=(edit,), preferred=intent.preferred, safe=True)


def _absolutize_statement_only(intent: AbsolutizeImport, text: str) -> Fix | None:
    """Fast path for a statement that starts a line: parse just its lines, not the whole (maybe huge) file.

    Rewriting the module part of one whole-line `from` statement cannot change how the rest of the
    file parses, so re-parsing the rewritten lines is the same guard as re-parsing the file.
    """
    lines = from_statement_lines(text, intent.span)
    if lines is None:
        return None
    start, segment = lines
    source = parse_source(segment)
    if source is None:
        return None
    statements = [n for n in source.positions if isinstance(n, cst.ImportFrom)]
    if len(statements) != 1:
        return None
    local = module_edit(source, intent.path, statements[0], intent.absolute_module)
    if local is None:
        return None
    rewritten = apply_edits(segment, [local])
    if not parses(rewritten):
        return None
    begin, finish = span_offsets(segment, local.span)
    edit = TextEdit(intent.path, offsets_to_span(text, start + begin, start + finish), local.new_text)
    return Fix(title=intent.title, edits=(edit,), preferred=intent.preferred, safe=True)


def absolutize_all(
    path: Path, text: str, intents: Sequence[AbsolutizeImport]
) -> Fix | None:
    """One safe fix applying every intent (all for the file `path` holding `text`) that can be applied."""
    edits: dict[object, TextEdit] = {}
    slow: list[AbsolutizeImport] = []
    for intent in intents:
        if not is_dotted_name(intent.absolute_module):
            continue
        fast = _absolutize_statement_only(intent, text)  # whole-line statements: no whole-file libcst parse
        if fast is not None:
            edits.setdefault((intent.span.start_line, intent.span.start_column), fast.edits[0])
        else:
            slow.append(intent)
    if slow:
        source = parse_source(text)
        if source is None:
            return None
        for intent in slow:
            node = find_import_from(source, intent.span)
            if node is None or id(node) in edits:
                continue
            edit = module_edit(source, path, node, intent.absolute_module)
            if edit is not None:
                edits[id(node)] = edit
    if not edits:
        return None
    ordered = tuple(sorted(edits.values(), key=lambda edit: edit.span))
    if not parses(apply_edits(text, ordered)):
        return None
    return Fix(title=ALL_TITLE, edits=ordered, preferred=False, safe=True)
