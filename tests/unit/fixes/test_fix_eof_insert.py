"""Appends at the end of a file are placed before its final newline (Neovim 0.10+ adds a blank line otherwise)."""

from pathlib import Path

import pytest

from importsense.fixes import apply_edits
from importsense.fixes.edits import minimal_edits


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_append_is_anchored_on_the_last_real_line(newline):
    old = f"def f():{newline}    return 1{newline}"
    new = old + f"g = f  # alias{newline}"
    (edit,) = minimal_edits(Path("m.py"), old, new)
    assert (edit.span.start_line, edit.span.start_column) == (2, 13)
    assert edit.new_text == f"{newline}g = f  # alias"
    assert apply_edits(old, [edit]) == new


def test_file_without_final_newline_is_unchanged_behaviour():
    old = "x = 1"
    new = "x = 1\ny = x\n"
    (edit,) = minimal_edits(Path("m.py"), old, new)
    assert apply_edits(old, [edit]) == new
