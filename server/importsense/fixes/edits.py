"""Positions, minimal diffs, edit application and the parse guards every fix transform shares.

Lines end at `\\n`, `\\r\\n` or `\\r` only (the LSP rule and Python's tokenizer rule), never at the
other characters `str.splitlines` treats as breaks (\\f, \\v, \\x1c-\\x1e, \\x85, \\u2028, \\u2029).
Positions are `model.Span` positions: 1-based lines, 1-based code-point columns, end exclusive.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
import warnings
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Fix, Span, TextEdit

# libcst is imported lazily: the position helpers must stay cheap to import.
if TYPE_CHECKING:
    import libcst as cst
    from libcst.metadata import CodeRange

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_INDENT = re.compile(r"[ \t]*")


@lru_cache(maxsize=16)
def line_starts(text: str) -> tuple[int, ...]:
    """Offsets where each line of `text` starts; a text ending in a line break has an empty last line."""
    return (0, *(match.end() for match in _LINE_BREAK.finditer(text)))


def line_count(text: str) -> int:
    """Number of lines under the LSP rules (always at least 1)."""
    return len(line_starts(text))


def line_content_end(text: str, line: int) -> int:
    """Offset just after the last character of 1-based `line`, before its line break."""
    starts = line_starts(text)
    if line >= len(starts):
        return len(text)
    next_start = starts[line]
    return (
        next_start - 2
        if next_start >= 2 and text.startswith("\r\n", next_start - 2)
        else next_start - 1
    )


def line_end(text: str, line: int) -> int:
    """Offset where the line after 1-based `line` starts (after its break), or len(text) on the last line."""
    starts = line_starts(text)
    return starts[line] if line < len(starts) else len(text)


def position_to_offset(text: str, line: int, column: int) -> int:
    """String index of a 1-based (line, code-point column) position, clamped like LSP does.

    A line past the end maps to len(text); a column past the end of its line maps to the end of the
    line's content (before the line break). Lines and columns below 1 raise ValueError.
    """
    if line < 1 or column < 1:
        raise ValueError(f"position {line}:{column} is not 1-based")
    starts = line_starts(text)
    if line > len(starts):
        return len(text)
    offset = starts[line - 1] + column - 1
    return min(offset, line_content_end(text, line))


def offset_to_position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, code-point column) of string index `offset` (0 <= offset <= len(text)).

    An offset between the \\r and the \\n of a CRLF break, which no position can name, maps to the end
    of that line's content.
    """
    if not 0 <= offset <= len(text):
        raise ValueError(f"offset {offset} is outside a text of length {len(text)}")
    starts = line_starts(text)
    index = bisect_right(starts, offset) - 1
    if offset > 0 and text.startswith("\r\n", offset - 1):
        offset -= 1
    return index + 1, offset - starts[index] + 1


def is_valid_position(text: str, line: int, column: int) -> bool:
    """True when (line, column) names a real place in `text` without clamping."""
    starts = line_starts(text)
    if not (1 <= line <= len(starts)) or column < 1:
        return False
    return starts[line - 1] + column - 1 <= line_content_end(text, line)


def span_to_offsets(text: str, span: Span) -> tuple[int, int]:
    """Strict (start, end) string indices of `span`; ValueError if it leaves the text or runs backwards."""
    if not is_valid_position(text, span.start_line, span.start_column):
        raise ValueError(
            f"span start {span.start_line}:{span.start_column} is outside the text"
        )
    if not is_valid_position(text, span.end_line, span.end_column):
        raise ValueError(
            f"span end {span.end_line}:{span.end_column} is outside the text"
        )
    start = position_to_offset(text, span.start_line, span.start_column)
    end = position_to_offset(text, span.end_line, span.end_column)
    if end < start:
        raise ValueError(f"span {span} ends before it starts")
    return start, end


def offsets_to_span(text: str, start: int, end: int) -> Span:
    """The `Span` covering string indices [start, end) of `text`."""
    start_line, start_column = offset_to_position(text, start)
    end_line, end_column = offset_to_position(text, end)
    return Span(start_line, start_column, end_line, end_column)


_CHUNK = 2048


def _common_prefix_length(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    index = 0
    # compare chunk by chunk at C speed, then pin the first difference inside the chunk
    while index < limit:
        stop = min(index + _CHUNK, limit)
        if a[index:stop] != b[index:stop]:
            while a[index] == b[index]:
                index += 1
            return index
        index = stop
    return limit


def _common_suffix_length(a: str, b: str, limit: int) -> int:
    length = 0
    while length < limit:
        step = min(_CHUNK, limit - length)
        if (
            a[len(a) - length - step : len(a) - length]
            != b[len(b) - length - step : len(b) - length]
        ):
            while a[len(a) - length - 1] == b[len(b) - length - 1]:
                length += 1
            return length
        length += step
    return limit


def minimal_edits(path: Path, old_text: str, new_text: str) -> tuple[TextEdit, ...]:
    """At most one edit turning `old_text` into `new_text`, spanning only the changed region.

    The edit never starts or ends inside a CRLF pair of `old_text`, so its span is expressible.
    """
    if old_text == new_text:
        return ()
    prefix = _common_prefix_length(old_text, new_text)
    suffix = _common_suffix_length(
        old_text, new_text, min(len(old_text), len(new_text)) - prefix
    )
    if prefix and old_text.startswith("\r\n", prefix - 1):
        prefix -= 1
    old_end = len(old_text) - suffix
    if suffix and old_end >= 1 and old_text.startswith("\r\n", old_end - 1):
        suffix -= 1
        old_end += 1
    inserted = new_text[prefix : len(new_text) - suffix]
    if prefix == old_end == len(old_text) and prefix:
        # An insert after the file's final newline sits on the virtual empty last line, which some
        # clients (Neovim 0.10+) turn into an extra blank line: insert before that newline instead.
        for newline in ("\r\n", "\n", "\r"):
            if old_text.endswith(newline) and inserted.endswith(newline):
                prefix = old_end = len(old_text) - len(newline)
                inserted = newline + inserted[: -len(newline)]
                break
    span = offsets_to_span(old_text, prefix, old_end)
    return (TextEdit(path, span, inserted),)


def apply_edits(text: str, edits: Sequence[TextEdit]) -> str:
    """Apply non-overlapping edits for one file, all positioned against `text`.

    Inserts at the same place keep their order. Raises ValueError for a span outside the text or
    for overlapping edits.
    """
    located = sorted(
        (
            (*span_to_offsets(text, edit.span), index, edit.new_text)
            for index, edit in enumerate(edits)
        ),
        key=lambda item: (item[0], item[1], item[2]),
    )
    pieces: list[str] = []
    cursor = 0
    for start, end, _index, new_text in located:
        if start < cursor:
            raise ValueError("edits overlap")
        pieces.append(text[cursor:start])
        pieces.append(new_text)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def parses(text: str) -> bool:
    """True when `text` compiles as a Python module for the running interpreter.

    A full compile, not just a parse: it also rejects what only the compiler sees, such as a
    misplaced `from __future__` import or `return` outside a function. Nothing is executed.
    """
    try:
        with warnings.catch_warnings():
            # no SyntaxWarning / DeprecationWarning noise for odd escapes in user code
            warnings.simplefilter("ignore")
            compile(text, "<importsense-fix>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


@dataclass(frozen=True)
class ParsedSource:
    """A module parsed by libcst that round-trips to `text`, with node positions."""

    text: str
    module: cst.Module
    positions: Mapping[cst.CSTNode, CodeRange]

    def start(self, node: cst.CSTNode) -> int:
        """String index where `node` starts (leading whitespace excluded)."""
        position = self.positions[node].start
        return position_to_offset(self.text, position.line, position.column + 1)

    def end(self, node: cst.CSTNode) -> int:
        """String index just after `node` (trailing whitespace excluded)."""
        position = self.positions[node].end
        return position_to_offset(self.text, position.line, position.column + 1)

    def start_line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def end_line(self, node: cst.CSTNode) -> int:
        return self.positions[node].end.line

    @property
    def newline(self) -> str:
        return self.module.default_newline


def parse_source(text: str) -> ParsedSource | None:
    """Parse `text` with libcst; None when it does not parse (by ast or libcst) or does not round-trip."""
    if not parses(text):
        return None
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        module = cst.parse_module(text)
    except Exception:  # noqa: BLE001 - ParserSyntaxError or the native parser's own errors
        return None
    if module.code != text:  # e.g. lone-\r line breaks, which libcst rewrites
        return None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    return ParsedSource(text, module, wrapper.resolve(PositionProvider))


def from_statement_lines(text: str, span: Span) -> tuple[int, str] | None:
    """(offset, text) of the whole lines of the `from` statement at `span`, when it starts its line."""
    if span.start_column != 1 or span.end_line < span.start_line:
        return None
    start = position_to_offset(text, span.start_line, 1)
    end = position_to_offset(text, span.end_line + 1, 1)  # clamps to the end of the text
    segment = text[start:end]
    return (start, segment) if segment.startswith("from") else None


def fix_in_file(fix: Fix, text: str, start: int, segment: str) -> Fix | None:
    """`fix`, made for `segment` (the text at offset `start` of `text`), moved onto `text` and re-parsed there."""
    edits = []
    for edit in fix.edits:
        begin, finish = span_to_offsets(segment, edit.span)
        edits.append(TextEdit(edit.path, offsets_to_span(text, start + begin, start + finish), edit.new_text))
    if not parses(apply_edits(text, edits)):
        return None
    return dataclasses.replace(fix, edits=tuple(edits))


def leading_whitespace(text: str, line: int) -> str:
    """The spaces and tabs that start 1-based `line`."""
    start = line_starts(text)[line - 1]
    match = _INDENT.match(text, start, line_content_end(text, line))
    return match.group() if match else ""


def block_end_line(text: str, last_line: int, outer_indent: str) -> int:
    """The last line of a block whose code ends on `last_line`, counting comment lines after it that are
    indented deeper than `outer_indent` (the block's trailing comments), but not blank lines after them."""
    end = last_line
    total = line_count(text)
    line = last_line + 1
    while line <= total:
        start = line_starts(text)[line - 1]
        content = text[start : line_content_end(text, line)]
        stripped = content.lstrip(" \t\f")
        if not stripped:
            line += 1
            continue
        indent = content[: len(content) - len(stripped)]
        if stripped.startswith("#") and len(indent) > len(outer_indent):
            end = line
            line += 1
            continue
        break
    return end


def is_dotted_name(name: str, *, allow_relative: bool = False) -> bool:
    """True for `a.b.c` (and `..a.b` / `.` when `allow_relative`), made of identifiers that are not keywords."""
    body = name.lstrip(".") if allow_relative else name
    if not body:
        return allow_relative and bool(name)
    return all(
        part.isidentifier() and not keyword.iskeyword(part) for part in body.split(".")
    )
