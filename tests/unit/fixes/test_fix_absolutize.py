"""AbsolutizeImport and absolutize_all: only the module part changes, everything around it stays."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from importsense.fixes import absolutize_all, apply_edits
from importsense.model import AbsolutizeImport, Span, TextEdit

if TYPE_CHECKING:
    from conftest import FixRunner

FILE = Path("/project/pkg/sub/mod.py")


def intent(span: Span, module: str, *, preferred: bool = True) -> AbsolutizeImport:
    return AbsolutizeImport(
        "absolutize", f"Use absolute import '{module}'", preferred, FILE, span, module
    )


# (id, before, statement span, absolute module, after)
GOLDEN = [
    ("dot-only", "from . import y\n", Span(1, 1, 1, 16), "a.b", "from a.b import y\n"),
    (
        "alias-and-comment",
        "from ..c import d as e  # note\n",
        Span(1, 1, 1, 23),
        "a.c",
        "from a.c import d as e  # note\n",
    ),
    (
        "parenthesised-multiline-with-comments",
        "import os\nfrom .sibling import (  # keep\n    one,  # first\n    two as deux,\n)\n",
        Span(2, 1, 5, 2),
        "pkg.sub.sibling",
        "import os\nfrom pkg.sub.sibling import (  # keep\n    one,  # first\n    two as deux,\n)\n",
    ),
    (
        "backslash-continuation",
        "from .m import a, \\\n    b\n",
        Span(1, 1, 2, 6),
        "pkg.m",
        "from pkg.m import a, \\\n    b\n",
    ),
    (
        "inside-function-if-try",
        "def f():\n    if x:\n        try:\n            from ...top import t\n        except ImportError:\n            pass\n",
        Span(4, 13, 4, 33),
        "top",
        "def f():\n    if x:\n        try:\n            from top import t\n        except ImportError:\n            pass\n",
    ),
    (
        "semicolon-second-statement-after-non-ascii",
        "é = 1; from .m import y; z = 2\n",
        Span(1, 8, 1, 24),
        "pkg.m",
        "é = 1; from pkg.m import y; z = 2\n",
    ),
    (
        "semicolon-picks-the-statement-at-the-span",
        "from . import a; from .. import b\n",
        Span(1, 18, 1, 34),
        "pkg",
        "from . import a; from pkg import b\n",
    ),
    (
        "crlf",
        "import os\r\nfrom .m import (\r\n    x,\r\n)\r\n",
        Span(2, 1, 4, 2),
        "pkg.m",
        "import os\r\nfrom pkg.m import (\r\n    x,\r\n)\r\n",
    ),
    (
        "tabs",
        "if x:\n\tfrom .m import y\n",
        Span(2, 2, 2, 18),
        "pkg.m",
        "if x:\n\tfrom pkg.m import y\n",
    ),
    ("glued-dots", "from.import y\n", Span(1, 1, 1, 14), "pkg", "from pkg import y\n"),
    (
        "three-dots-token",
        "from ...deep import y\n",
        Span(1, 1, 1, 22),
        "root.deep",
        "from root.deep import y\n",
    ),
    (
        "no-trailing-newline",
        "x = 1\nfrom .m import y",
        Span(2, 1, 2, 17),
        "pkg.m",
        "x = 1\nfrom pkg.m import y",
    ),
]


@pytest.mark.parametrize(
    ("before", "span", "module", "after"),
    [case[1:] for case in GOLDEN],
    ids=[c[0] for c in GOLDEN],
)
def test_golden(
    fixer: FixRunner, before: str, span: Span, module: str, after: str
) -> None:
    fix = fixer.build(intent(span, module), before)
    assert fix is not None
    assert fix.safe and fix.preferred
    assert fix.title == "Use absolute import " + repr(module)
    assert apply_edits(before, fix.edits) == after


def test_edit_is_exactly_the_module_range(fixer: FixRunner) -> None:
    before = "s = '😀'; é = 0; from ..c import d as e  # note\n"  # 😀 is 2 UTF-16 units, 4 bytes
    fix = fixer.build(intent(Span(1, 17, 1, 39), "a.c", preferred=False), before)
    assert fix is not None and not fix.preferred
    assert fix.edits == (TextEdit(FILE, Span(1, 22, 1, 25), "a.c"),)


def test_span_start_on_the_right_line_is_enough_when_the_statement_is_alone(
    fixer: FixRunner,
) -> None:
    # a check that got the column wrong (e.g. UTF-8 bytes) still finds the only `from` import there
    before = "if x:\n    from .m import y\n"
    assert (
        fixer.apply(intent(Span(2, 9, 2, 22), "pkg.m"), before)
        == "if x:\n    from pkg.m import y\n"
    )
    assert (
        fixer.apply(intent(Span(1, 1, 1, 6), "pkg.m"), before) is None
    )  # no import on that line


@pytest.mark.parametrize(
    ("before", "span", "module"),
    [
        pytest.param(
            "from . import (\n", Span(1, 1, 1, 16), "pkg", id="unparseable-source"
        ),
        pytest.param("import os\n", Span(1, 1, 1, 10), "pkg", id="not-a-from-import"),
        pytest.param(
            "from . import a; from . import b\n",
            Span(1, 3, 1, 10),
            "pkg",
            id="ambiguous-line",
        ),
        pytest.param(
            "from . import y\n", Span(5, 1, 5, 10), "pkg", id="span-past-the-end"
        ),
        pytest.param(
            "from . import y\n", Span(1, 1, 1, 16), "pkg..m", id="bad-module-name"
        ),
        pytest.param(
            "from . import y\n", Span(1, 1, 1, 16), "class", id="keyword-module-name"
        ),
        pytest.param(
            "from . import y\n", Span(1, 1, 1, 16), ".rel", id="relative-target"
        ),
        pytest.param(
            "from pkg import y\n", Span(1, 1, 1, 18), "pkg", id="already-absolute"
        ),
        pytest.param(
            "a = 1\rfrom . import y\r", Span(2, 1, 2, 16), "pkg", id="lone-cr-file"
        ),
    ],
)
def test_none(fixer: FixRunner, before: str, span: Span, module: str) -> None:
    assert fixer.build(intent(span, module), before) is None


def test_absolutize_all_converts_every_statement_with_one_edit_each() -> None:
    before = (
        "from . import a\n"
        "import os\n"
        "from ..up import (\n    b,  # bee\n)\n"
        "def f():\n    from .m import c; from .n import d\n"
    )
    intents = [
        intent(Span(1, 1, 1, 16), "pkg.sub"),
        intent(Span(3, 1, 5, 2), "pkg.up"),
        intent(Span(7, 23, 7, 39), "pkg.sub.n"),
        intent(Span(7, 5, 7, 21), "pkg.sub.m"),
        intent(Span(1, 1, 1, 16), "pkg.sub"),  # duplicate: ignored
        intent(Span(2, 1, 2, 10), "pkg.os"),  # not a `from` import: skipped
    ]
    fix = absolutize_all(FILE, before, intents)
    assert fix is not None
    assert fix.safe and not fix.preferred
    assert len(fix.edits) == 4
    assert [edit.span for edit in fix.edits] == sorted(edit.span for edit in fix.edits)
    assert apply_edits(before, fix.edits) == (
        "from pkg.sub import a\n"
        "import os\n"
        "from pkg.up import (\n    b,  # bee\n)\n"
        "def f():\n    from pkg.sub.m import c; from pkg.sub.n import d\n"
    )


def test_absolutize_all_none_cases() -> None:
    assert absolutize_all(FILE, "from . import a\n", []) is None
    assert (
        absolutize_all(FILE, "from . import (\n", [intent(Span(1, 1, 1, 16), "pkg")])
        is None
    )
    assert (
        absolutize_all(FILE, "import os\n", [intent(Span(1, 1, 1, 10), "pkg")]) is None
    )
