"""ImportFromElsewhere: move one name out of a `from` import, keeping the rest of the statement tidy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from importsense.fixes import apply_edits
from importsense.model import ImportFromElsewhere, Span

if TYPE_CHECKING:
    from conftest import FixRunner

FILE = Path("/project/pkg/sub/mod.py")


def intent(
    span: Span, name: str = "N", new_module: str = "new.home"
) -> ImportFromElsewhere:
    return ImportFromElsewhere(
        "import-from-elsewhere",
        f"Import '{name}' from '{new_module}'",
        False,
        FILE,
        span,
        name,
        new_module,
    )


def statement_span(text: str) -> Span:
    """The span of the first `from` statement in `text` (start is what the transform keys on)."""
    offset = text.find("from ")
    if offset < 0:
        return Span(1, 1, 1, 2)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(line, column, line, column + 1)


GOLDEN = [
    ("only-name", "from old import N  # c\n", "from new.home import N  # c\n"),
    (
        "only-name-aliased-in-parens",
        "from old import (\n    N as x,\n)\n",
        "from new.home import (\n    N as x,\n)\n",
    ),
    (
        "middle",
        "from m import a, N, b\n",
        "from m import a, b\nfrom new.home import N\n",
    ),
    ("first", "from m import N, a\n", "from m import a\nfrom new.home import N\n"),
    ("last", "from m import a, N\n", "from m import a\nfrom new.home import N\n"),
    (
        "alias-moves-along",
        "from m import a, N as x, b\n",
        "from m import a, b\nfrom new.home import N as x\n",
    ),
    (
        "trailing-comment-stays",
        "from m import a, N  # noqa\nx = 1\n",
        "from m import a  # noqa\nfrom new.home import N\nx = 1\n",
    ),
    (
        "parens-one-line-trailing-comma",
        "from m import (a, N,)\n",
        "from m import (a,)\nfrom new.home import N\n",
    ),
    (
        "parens-last-inline",
        "from m import (a,\n    N)\n",
        "from m import (a)\nfrom new.home import N\n",
    ),
    (
        "parens-multiline-middle-with-comments",
        "from m import (  # header\n    a,  # about a\n    N as x,  # about N\n    b,\n)\ny = 2\n",
        "from m import (  # header\n    a,  # about a\n    b,\n)\nfrom new.home import N as x\ny = 2\n",
    ),
    (
        "parens-multiline-first",
        "from m import (\n    N,\n    a,\n)\n",
        "from m import (\n    a,\n)\nfrom new.home import N\n",
    ),
    (
        "parens-multiline-last-no-trailing-comma",
        "from m import (\n    a,\n    N\n)\n",
        "from m import (\n    a,\n)\nfrom new.home import N\n",
    ),
    (
        "parens-multiline-last-with-comment",
        "from m import (\n    a,  # about a\n    N,  # about N\n)\n",
        "from m import (\n    a,  # about a\n)\nfrom new.home import N\n",
    ),
    (
        "backslash-last",
        "from m import a, \\\n    N\nz = 1\n",
        "from m import a\nfrom new.home import N\nz = 1\n",
    ),
    (
        "backslash-middle",
        "from m import a, \\\n    N, \\\n    b\n",
        "from m import a, \\\n    b\nfrom new.home import N\n",
    ),
    (
        "indented-in-function",
        "def f():\n    from m import a, N\n    return N\n",
        "def f():\n    from m import a\n    from new.home import N\n    return N\n",
    ),
    (
        "tabs",
        "if x:\n\tfrom m import a, N\n",
        "if x:\n\tfrom m import a\n\tfrom new.home import N\n",
    ),
    (
        "semicolon-rest-of-line-uses-it",
        "def f():\n    from m import a, N; N()\n",
        "def f():\n    from m import a\n    from new.home import N; N()\n",
    ),
    (
        "one-line-suite",
        "if x: from m import a, N\n",
        "if x: from m import a; from new.home import N\n",
    ),
    (
        "crlf",
        "import os\r\nfrom m import (\r\n    a,\r\n    N,\r\n)\r\n",
        "import os\r\nfrom m import (\r\n    a,\r\n)\r\nfrom new.home import N\r\n",
    ),
    (
        "no-trailing-newline",
        "from m import a, N",
        "from m import a\nfrom new.home import N",
    ),
]


@pytest.mark.parametrize(
    ("before", "after"), [case[1:] for case in GOLDEN], ids=[case[0] for case in GOLDEN]
)
def test_golden(fixer: FixRunner, before: str, after: str) -> None:
    fix = fixer.build(intent(statement_span(before)), before)
    assert fix is not None
    assert not fix.safe
    assert len(fix.edits) == 1
    assert apply_edits(before, fix.edits) == after


def test_non_ascii_before_the_statement_on_its_line(fixer: FixRunner) -> None:
    before = "é = 1; from m import a, N\n"
    assert (
        fixer.apply(intent(Span(1, 8, 1, 26)), before)
        == "é = 1; from m import a\nfrom new.home import N\n"
    )
    # the statement's column is in code points: the byte column (9) names no statement start,
    # and with two imports on the line the transform must not guess
    two = "é = 1; from m import a, N; from k import N\n"
    assert fixer.apply(intent(Span(1, 9, 1, 26)), two) is None
    assert (
        fixer.apply(intent(Span(1, 28, 1, 43)), two)
        == "é = 1; from m import a, N; from new.home import N\n"
    )


def test_only_name_edit_is_just_the_module(fixer: FixRunner) -> None:
    fix = fixer.build(intent(Span(1, 1, 1, 18)), "from old import N\n")
    assert fix is not None
    assert [(edit.span, edit.new_text) for edit in fix.edits] == [
        (Span(1, 6, 1, 9), "new.home")
    ]


def test_relative_new_module(fixer: FixRunner) -> None:
    assert fixer.apply(
        intent(Span(1, 1, 1, 19), new_module="..other"), "from m import a, N\n"
    ) == ("from m import a\nfrom ..other import N\n")


@pytest.mark.parametrize(
    ("before", "name", "new_module"),
    [
        pytest.param("from m import a, b\n", "N", "new.home", id="name-not-imported"),
        pytest.param(
            "from m import a as N\n", "N", "new.home", id="alias-is-not-the-name"
        ),
        pytest.param("from m import *\n", "N", "new.home", id="star-import"),
        pytest.param(
            "from m import a, N\nx = (\n", "N", "new.home", id="unparseable-source"
        ),
        pytest.param("from m import a, N\n", "N", "new..home", id="bad-module"),
        pytest.param("from m import a, N\n", "N", "", id="empty-module"),
        pytest.param("from m import a, N\n", "N.x", "new.home", id="bad-name"),
        pytest.param("from new.home import N\n", "N", "new.home", id="already-there"),
        pytest.param("import m\n", "N", "new.home", id="not-a-from-import"),
        pytest.param(
            "from m import N\n", "N", "__future__", id="result-would-not-compile"
        ),
        pytest.param(
            "x = 1\nfrom m import a, annotations\n",
            "annotations",
            "__future__",
            id="late-future-import",
        ),
    ],
)
def test_none(fixer: FixRunner, before: str, name: str, new_module: str) -> None:
    assert fixer.build(intent(statement_span(before), name, new_module), before) is None
