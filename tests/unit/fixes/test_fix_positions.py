"""Position helpers, minimal diffs and edit application: LSP line rules, code-point columns, CRLF."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from importsense.fixes.edits import (
    apply_edits,
    line_count,
    minimal_edits,
    offset_to_position,
    offsets_to_span,
    parse_source,
    parses,
    position_to_offset,
    span_to_offsets,
)
from importsense.model import Span, TextEdit

PATH = Path("/p/m.py")
# Characters str.splitlines() breaks on but LSP (and Python's tokenizer) does not, plus real breaks.
ODD = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
BREAKS = ["\n", "\r\n", "\r"]
texts = st.lists(
    st.one_of(
        st.sampled_from(ODD + BREAKS + ["é", "😀", "\t", "a", " "]), st.text(max_size=3)
    ),
    max_size=30,
).map("".join)


def reference_lines(text: str) -> list[str]:
    """Lines by the LSP rule, without their breaks: an independent slow implementation."""
    return re.split(r"\r\n|\r|\n", text)


def inside_crlf(text: str, offset: int) -> bool:
    return 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n"


@pytest.mark.parametrize("odd", ODD)
def test_odd_characters_do_not_break_lines(odd: str) -> None:
    text = f"a{odd}b\nc"
    assert len(text.splitlines()) == 3  # splitlines would split here: we must not
    assert line_count(text) == 2
    assert offset_to_position(text, 2) == (1, 3)  # the `b`
    assert offset_to_position(text, 4) == (2, 1)  # the `c`
    assert position_to_offset(text, 2, 1) == 4


def test_crlf_and_lone_cr_each_end_one_line() -> None:
    text = "ab\r\ncd\re\n"
    assert line_count(text) == 4
    assert offset_to_position(text, 4) == (2, 1)
    assert offset_to_position(text, 7) == (3, 1)
    assert offset_to_position(text, 9) == (4, 1)
    assert position_to_offset(text, 2, 2) == 5


def test_offset_between_cr_and_lf_maps_to_end_of_line_content() -> None:
    assert offset_to_position("ab\r\ncd", 3) == (1, 3)


def test_columns_count_code_points_not_utf16_or_bytes() -> None:
    text = "😀é = x\n"
    assert offset_to_position(text, 2) == (1, 3)
    assert position_to_offset(text, 1, 3) == 2


def test_position_to_offset_clamps_like_lsp() -> None:
    text = "ab\r\ncd"
    assert position_to_offset(text, 1, 99) == 2  # end of content, before \r\n
    assert position_to_offset(text, 9, 1) == len(text)
    with pytest.raises(ValueError):
        position_to_offset(text, 0, 1)
    with pytest.raises(ValueError):
        position_to_offset(text, 1, 0)
    with pytest.raises(ValueError):
        offset_to_position(text, len(text) + 1)
    with pytest.raises(ValueError):
        offset_to_position(text, -1)


def test_span_to_offsets_is_strict() -> None:
    text = "ab\ncd\n"
    assert span_to_offsets(text, Span(1, 2, 2, 3)) == (1, 5)
    assert span_to_offsets(text, Span(3, 1, 3, 1)) == (
        6,
        6,
    )  # the empty line after the last break
    for bad in (Span(1, 4, 1, 4), Span(4, 1, 4, 1), Span(2, 1, 1, 1), Span(0, 1, 1, 1)):
        with pytest.raises(ValueError):
            span_to_offsets(text, bad)


@given(texts)
@example("a\r\nb")
@example("\r\r\n\n")
@example("x\u2028y\x85z\r")
def test_offsets_round_trip_through_positions(text: str) -> None:
    lines = reference_lines(text)
    assert line_count(text) == len(lines)
    for offset in range(len(text) + 1):
        line, column = offset_to_position(text, offset)
        assert 1 <= line <= len(lines)
        assert 1 <= column <= len(lines[line - 1]) + 1
        if not inside_crlf(text, offset):
            assert position_to_offset(text, line, column) == offset


@given(texts)
def test_positions_round_trip_through_offsets(text: str) -> None:
    for line_number, content in enumerate(reference_lines(text), start=1):
        for column in range(1, len(content) + 2):
            offset = position_to_offset(text, line_number, column)
            assert offset_to_position(text, offset) == (line_number, column)


@given(texts, texts)
@settings(max_examples=300)
@example("a\r\nb", "a\rb")
@example("a\rb", "a\r\nb")
@example("x\r\n", "x\r\r\n")
@example("\r\n\r\n", "\r\n")
def test_minimal_edits_reproduce_the_new_text(old: str, new: str) -> None:
    edits = minimal_edits(PATH, old, new)
    assert apply_edits(old, edits) == new
    if old == new:
        assert edits == ()
    else:
        (edit,) = edits
        start, end = span_to_offsets(old, edit.span)
        # only the changed region (give or take one CRLF character) is replaced
        assert old[:start] == new[:start]
        assert old[end:] == new[len(new) - (len(old) - end) :]
        assert len(edit.new_text) - (end - start) == len(new) - len(old)


@given(
    st.integers(0, 9000),
    st.integers(0, 40),
    texts,
    st.sampled_from(["x = 1\n", "é\r\n", "a\rb\u2028\n", "\r\n"]),
)
@settings(max_examples=200)
def test_minimal_edits_on_texts_longer_than_a_comparison_chunk(
    at: int, removed: int, inserted: str, unit: str
) -> None:
    old = unit * (9000 // len(unit))
    at = min(at, len(old))
    new = old[:at] + inserted + old[at + removed :]
    edits = minimal_edits(PATH, old, new)
    assert apply_edits(old, edits) == new
    for edit in edits:
        start, end = span_to_offsets(old, edit.span)
        assert end - start <= removed + 2 * len(unit)  # tight, not the whole tail


@given(st.integers(0, 6999), st.integers(0, 6999))
@example(2047, 0)
@example(2048, 2048)
@example(2049, 4095)
@example(4096, 4097)
@example(6999, 6999)
def test_first_difference_is_found_exactly_from_either_end(
    front: int, back: int
) -> None:
    old = "".join(chr(0x41 + (i * 7) % 26) for i in range(7000))
    changed = old[:front] + "é" + old[front + 1 :]
    assert minimal_edits(PATH, old, changed) == (
        TextEdit(PATH, offsets_to_span(old, front, front + 1), "é"),
    )
    changed = old[: len(old) - 1 - back] + "é" + old[len(old) - back :]
    where = len(old) - 1 - back
    assert minimal_edits(PATH, old, changed) == (
        TextEdit(PATH, offsets_to_span(old, where, where + 1), "é"),
    )


def test_minimal_edit_is_tight() -> None:
    (edit,) = minimal_edits(
        PATH, "é = 1; from . import y\n", "é = 1; from a.b import y\n"
    )
    assert edit == TextEdit(PATH, Span(1, 13, 1, 14), "a.b")


def test_minimal_edit_never_splits_crlf() -> None:
    (edit,) = minimal_edits(PATH, "a\r\nb", "a\rb")
    assert span_to_offsets("a\r\nb", edit.span) == (1, 3)
    assert edit.new_text == "\r"


def test_apply_edits_orders_and_rejects_overlap() -> None:
    text = "0123456789"
    edits = [
        TextEdit(PATH, offsets_to_span(text, 8, 9), "X"),
        TextEdit(PATH, offsets_to_span(text, 2, 2), "a"),
        TextEdit(PATH, offsets_to_span(text, 2, 2), "b"),
        TextEdit(PATH, offsets_to_span(text, 2, 4), "Y"),
    ]
    assert apply_edits(text, edits) == "01abY4567X9"
    with pytest.raises(ValueError, match="overlap"):
        apply_edits(
            text,
            [
                TextEdit(PATH, offsets_to_span(text, 1, 5), ""),
                TextEdit(PATH, offsets_to_span(text, 4, 6), ""),
            ],
        )
    with pytest.raises(ValueError):
        apply_edits(text, [TextEdit(PATH, Span(2, 1, 2, 1), "")])
    assert apply_edits(text, []) == text


def test_parses_uses_the_compiler() -> None:
    assert parses("x = 1\n")
    assert not parses("x = (\n")
    assert not parses(
        "x = 1\nfrom __future__ import annotations\n"
    )  # only the compiler rejects this
    assert not parses("return 1\n")
    assert not parses("x = 1\0\n")


@pytest.mark.parametrize("odd", ODD)
def test_python_agrees_on_line_numbers(odd: str) -> None:
    """ast and libcst number lines like our helpers when odd characters sit in strings and comments."""
    assert [
        node.lineno for node in ast.parse(f"a = '{odd}'  # {odd}\rb = 2\nc = 3").body
    ] == [1, 2, 3]
    text = f"a = '{odd}'  # {odd}\r\nb = 2\nc = 3\n"
    assert [node.lineno for node in ast.parse(text).body] == [1, 2, 3]
    source = parse_source(text)
    assert source is not None
    assert [source.start_line(statement) for statement in source.module.body] == [
        1,
        2,
        3,
    ]
    third = source.module.body[2]
    assert offset_to_position(text, source.start(third)) == (3, 1)
    assert text[source.start(third) : source.end(third)] == "c = 3"


def test_parse_source_refuses_text_libcst_would_not_round_trip() -> None:
    assert parse_source("a = 1\rb = 2\r") is None  # libcst rewrites lone-\r breaks
    assert parse_source("def (:\n") is None
    assert parse_source("a = 1\r\nb = 2\r\n") is not None
