"""The document store: LSP line rules (only \\n, \\r\\n, \\r break lines), all three position encodings."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from importsense.lsp.documents import (
    UTF8,
    UTF16,
    UTF32,
    TextDocument,
    column_to_index,
    index_to_column,
    path_to_uri,
    split_keepends,
    uri_to_path,
)

ODD = "\f\v\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK = re.compile(r"\r\n|\r|\n")


def reference_offset(text: str, line: int, column: int, encoding: str) -> int:
    """An independent LSP position -> offset, clamped like the spec says."""
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    if line >= len(starts):
        return len(text)
    start = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    content = text[start:end].rstrip("\r\n") if line + 1 < len(starts) else text[start:end]
    units = 0
    for index, character in enumerate(content):
        width = {UTF8: len(character.encode()), UTF16: 2 if ord(character) > 0xFFFF else 1, UTF32: 1}[encoding]
        if units + width > column:  # a column inside a character means its start
            return start + index
        units += width
    return start + len(content)


def test_only_lsp_line_breaks_split_lines():
    document = TextDocument.create("file:///x.py", "python", 1, f"a{ODD}b\r\nc\rd\ne")
    assert [document.line_content(i) for i in range(document.line_total)] == [f"a{ODD}b", "c", "d", "e"]
    assert document.text == f"a{ODD}b\r\nc\rd\ne"


def test_a_text_ending_in_a_break_has_an_empty_last_line():
    document = TextDocument.create("file:///x.py", "python", 1, "x\r")
    assert document.line_total == 2 and document.line_content(1) == ""


def test_edits_after_odd_characters_land_where_the_editor_put_them():
    for odd in ODD:
        document = TextDocument.create("file:///x.py", "python", 1, f"x{odd}y\nz\n")
        document.apply_change((0, 3), (0, 3), "!", UTF16)  # after x, odd, y on line 0
        document.apply_change((1, 0), (1, 1), "w", UTF16)
        assert document.text == f"x{odd}y!\nw\n"


def test_a_lone_cr_followed_by_an_inserted_lf_becomes_one_break():
    document = TextDocument.create("file:///x.py", "python", 1, "a\rb")
    document.apply_change((1, 0), (1, 0), "\n", UTF16)
    assert document.text == "a\r\nb" and document.line_total == 2
    document.apply_change((0, 1), (1, 0), "", UTF16)  # delete the whole break
    assert document.text == "ab" and document.line_total == 1


def test_positions_past_the_end_clamp():
    document = TextDocument.create("file:///x.py", "python", 1, "ab\ncd")
    document.apply_change((0, 99), (0, 99), "!", UTF16)
    document.apply_change((99, 0), (99, 5), "?", UTF16)
    assert document.text == "ab!\ncd?"


def test_columns_in_each_encoding():
    content = "a\u00e9\U0001f600b"
    assert [index_to_column(content, i, UTF16) for i in range(5)] == [0, 1, 2, 4, 5]
    assert [index_to_column(content, i, UTF8) for i in range(5)] == [0, 1, 3, 7, 8]
    assert [index_to_column(content, i, UTF32) for i in range(5)] == [0, 1, 2, 3, 4]
    assert column_to_index(content, 3, UTF16) == 2  # inside the surrogate pair: rounds down
    assert column_to_index(content, 7, UTF8) == 3


def test_uris_round_trip():
    assert uri_to_path("file:///tmp/a%20b/c.py").as_posix() == "/tmp/a b/c.py"
    assert uri_to_path("untitled:Untitled-1") is None
    path = uri_to_path(path_to_uri(uri_to_path("file:///tmp/x%23y.py")))
    assert path.as_posix() == "/tmp/x#y.py"


alphabet = st.sampled_from(list("ab \n\r") + ["\r\n", "é", "\U0001f600"] + list(ODD))


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(alphabet, max_size=30).map("".join),
    edits=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 8), st.integers(0, 6), st.integers(0, 8),
                             st.lists(alphabet, max_size=4).map("".join)), max_size=8),
    encoding=st.sampled_from([UTF8, UTF16, UTF32]),
)
def test_random_edits_match_an_independent_implementation(text, edits, encoding):
    document = TextDocument.create("file:///x.py", "python", 1, text)
    expected = text
    for start_line, start_column, end_line, end_column, new_text in edits:
        start = reference_offset(expected, start_line, start_column, encoding)
        end = reference_offset(expected, end_line, end_column, encoding)
        end = max(end, start)
        expected = expected[:start] + new_text + expected[end:]
        document.apply_change((start_line, start_column), (end_line, end_column), new_text, encoding)
        assert document.text == expected
        assert "".join(document.lines) == expected
        assert split_keepends(expected) == [line for line in document.lines if line]
