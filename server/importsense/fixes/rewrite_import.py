"""Move one name out of a `from M import ...` statement into its own `from new_module import name`."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ..model import Fix, ImportFromElsewhere, Span
from .absolutize import find_import_from, module_edit
from .edits import (
    ParsedSource,
    apply_edits,
    fix_in_file,
    from_statement_lines,
    is_dotted_name,
    leading_whitespace,
    line_content_end,
    line_end,
    line_starts,
    minimal_edits,
    offset_to_position,
    parse_source,
    parses,
)

_REST_OF_LINE_IS_BLANK = re.compile(r"[ \t\f]*(#[^\r\n]*)?")


def import_from_elsewhere(intent: ImportFromElsewhere, text: str) -> Fix | None:
    """Rewrite the module when `name` is alone, else split `name` into a new import line."""
    if (
        not is_dotted_name(intent.new_module, allow_relative=True)
        or not intent.name.isidentifier()
    ):
        return None
    return _statement_only(intent, text) or _rewrite(intent, text)


def _statement_only(intent: ImportFromElsewhere, text: str) -> Fix | None:
    """Fast path for a `from` statement that starts its line: give libcst just the statement's lines.

    Both rewrites (the module part, or the name split out onto the next line at the same indentation)
    stay inside those lines, so the result is the whole-file rewrite's; the edited file is re-parsed.
    """
    lines = from_statement_lines(text, intent.span)
    if lines is None:
        return None
    start, segment = lines
    span = intent.span
    local = dataclasses.replace(intent, span=Span(1, 1, span.end_line - span.start_line + 1, span.end_column))
    fix = _rewrite(local, segment)
    return None if fix is None else fix_in_file(fix, text, start, segment)


def _rewrite(intent: ImportFromElsewhere, text: str) -> Fix | None:
    source = parse_source(text)
    if source is None:
        return None
    node = find_import_from(source, intent.span)
    if node is None or isinstance(node.names, cst.ImportStar):
        return None
    names = list(node.names)
    index = next(
        (
            i
            for i, alias in enumerate(names)
            if get_full_name_for_node(alias.name) == intent.name
        ),
        None,
    )
    if index is None:
        return None
    if all(get_full_name_for_node(alias.name) == intent.name for alias in names):
        edit = module_edit(source, intent.path, node, intent.new_module)
        edits = (edit,) if edit is not None else ()
    else:
        new_text = _split_out(source, node, names, index, intent.new_module)
        if new_text is None:
            return None
        edits = minimal_edits(intent.path, text, new_text)
    if not edits or not parses(apply_edits(text, edits)):
        return None
    return Fix(title=intent.title, edits=edits, preferred=intent.preferred, safe=False)


def _split_out(
    source: ParsedSource,
    node: cst.ImportFrom,
    names: Sequence[cst.ImportAlias],
    index: int,
    new_module: str,
) -> str | None:
    text = source.text
    alias = names[index]
    asname = alias.asname.name if alias.asname is not None else None
    imported = get_full_name_for_node(alias.name) or ""
    if isinstance(asname, cst.Name):
        imported += f" as {asname.value}"
    new_import = f"from {new_module} import {imported}"

    delete_start, delete_end = _removal_range(source, node, names, index)
    insert_at, insertion = _insertion(source, node, new_import)
    if insert_at is None:
        return None
    if delete_start <= insert_at < delete_end:
        return None
    pieces = sorted([(delete_start, delete_end, ""), (insert_at, insert_at, insertion)])
    result, cursor = [], 0
    for start, end, replacement in pieces:
        result.append(text[cursor:start])
        result.append(replacement)
        cursor = end
    result.append(text[cursor:])
    return "".join(result)


def _removal_range(
    source: ParsedSource,
    node: cst.ImportFrom,
    names: Sequence[cst.ImportAlias],
    index: int,
) -> tuple[int, int]:
    """String indices to delete so that names[index] (with its comma) leaves the list cleanly."""
    text = source.text
    alias = names[index]
    last = index == len(names) - 1
    start = source.start(alias)
    end = source.end(alias.comma if isinstance(alias.comma, cst.Comma) else alias)

    if node.lpar is not None and _owns_its_lines(source, start, end):
        first_line = offset_to_position(text, start)[0]
        last_line = offset_to_position(text, end)[0]
        return line_starts(text)[first_line - 1], line_end(text, last_line)
    if not last:
        return start, source.start(names[index + 1])
    previous = names[index - 1]
    if isinstance(alias.comma, cst.Comma) and isinstance(previous.comma, cst.Comma):
        # `(a, N,)` -> `(a,)`: the list keeps its trailing comma
        return source.end(previous.comma), end
    return source.end(previous), end


def _owns_its_lines(source: ParsedSource, start: int, end: int) -> bool:
    """True when only whitespace precedes `start` on its line and only whitespace/a comment follows `end`."""
    text = source.text
    first_line = offset_to_position(text, start)[0]
    last_line = offset_to_position(text, end)[0]
    before = text[line_starts(text)[first_line - 1] : start]
    after = text[end : line_content_end(text, last_line)]
    return (
        not before.strip(" \t\f")
        and _REST_OF_LINE_IS_BLANK.fullmatch(after) is not None
    )


def _insertion(
    source: ParsedSource, node: cst.ImportFrom, new_import: str
) -> tuple[int | None, str]:
    """Where and what to insert so `new_import` runs right after `node`, at the same indentation."""
    text = source.text
    parent = next(
        (
            owner
            for owner in source.positions
            if isinstance(owner, (cst.SimpleStatementLine, cst.SimpleStatementSuite))
            and any(statement is node for statement in owner.body)
        ),
        None,
    )
    if parent is None:
        return None, ""
    if isinstance(parent, cst.SimpleStatementSuite):
        # `if x: from m import a, b`: a new line would leave the suite, so stay on this one
        return source.end(node), f"; {new_import}"
    newline = source.newline
    indent = leading_whitespace(text, source.start_line(parent))
    if parent.body[-1] is node:
        # nothing after it on its line can use the name: add the next line
        last_line = source.end_line(parent)
        at = line_end(text, last_line)
        if at == len(text) and (not text or text[-1] not in "\r\n"):
            return at, f"{newline}{indent}{new_import}"
        return at, f"{indent}{new_import}{newline}"
    # `from m import a, N; N()`: break the line right after the import, before `; N()`
    return source.end(node), f"{newline}{indent}{new_import}"
