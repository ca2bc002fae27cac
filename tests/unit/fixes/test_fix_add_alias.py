"""AddAlias: place `alias = target` after the statement binding the target, PEP 8 spacing, import line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from importsense.model import AddAlias

if TYPE_CHECKING:
    from conftest import FixRunner

FILE = Path("/project/pkg/old.py")
C = "  # compatibility alias added by importsense"


def intent(
    alias: str = "Old",
    target: str = "New",
    after: str | None = "New",
    import_line: str | None = None,
) -> AddAlias:
    return AddAlias(
        "add-alias",
        f"Add alias '{alias}'",
        True,
        FILE,
        alias,
        target,
        after,
        import_line,
    )


GOLDEN = [
    (
        "after-decorated-class-with-footer-comment",
        intent(),
        "@dec\n@dec2(1)\nclass New:\n    pass\n    # footer\n\n\ndef g():\n    pass\n",
        f"@dec\n@dec2(1)\nclass New:\n    pass\n    # footer\n\n\nOld = New{C}\n\n\ndef g():\n    pass\n",
    ),
    (
        "after-def-followed-by-column-0-comment",
        intent(),
        "def New():\n    if x:\n        return 1\n\n# section\nx = 1\n",
        f"def New():\n    if x:\n        return 1\n\n\nOld = New{C}\n\n# section\nx = 1\n",
    ),
    (
        "after-assignment",
        intent(),
        "New = 1\nx = 2\n",
        f"New = 1\nOld = New{C}\nx = 2\n",
    ),
    (
        "after-tuple-assignment",
        intent(),
        "a, (New, b) = f()\nx = 2\n",
        f"a, (New, b) = f()\nOld = New{C}\nx = 2\n",
    ),
    (
        "after-import",
        intent(),
        "from .impl import New\n\n\ndef g():\n    pass\n",
        f"from .impl import New\nOld = New{C}\n\n\ndef g():\n    pass\n",
    ),
    (
        "after-dotted-import-binding-its-head",
        intent(alias="old_os", target="os.path", after="os"),
        "import os.path\nx = 1\n",
        f"import os.path\nold_os = os.path{C}\nx = 1\n",
    ),
    (
        "after-top-level-try-block",
        intent(),
        "try:\n    from fast import New\nexcept ImportError:\n    New = None\nx = 1\n",
        f"try:\n    from fast import New\nexcept ImportError:\n    New = None\nOld = New{C}\nx = 1\n",
    ),
    (
        "last-binding-wins",
        intent(),
        "New = 1\nx = New\nNew = 2\n",
        f"New = 1\nx = New\nNew = 2\nOld = New{C}\n",
    ),
    (
        "function-local-binding-is-not-an-anchor",
        intent(),
        "def f():\n    New = 1\nx = 1\n",
        f"def f():\n    New = 1\nx = 1\nOld = New{C}\n",
    ),
    (
        "end-of-module-after-def-without-trailing-newline",
        intent(after=None),
        "def New():\n    pass",
        f"def New():\n    pass\n\n\nOld = New{C}\n",
    ),
    (
        "end-of-module-after-class-with-one-blank-line",
        intent(after="Missing"),
        "class New:\n    pass\n\n",
        f"class New:\n    pass\n\n\nOld = New{C}\n",
    ),
    (
        "end-of-module-after-assignment",
        intent(after=None),
        "New = 1\n",
        f"New = 1\nOld = New{C}\n",
    ),
    ("empty-module", intent(after=None), "", f"Old = New{C}\n"),
    (
        "import-line-added-before-alias",
        intent(target="Thing", after=None, import_line="from pkg.other import Thing"),
        "def g():\n    pass\n",
        f"def g():\n    pass\n\n\nfrom pkg.other import Thing\nOld = Thing{C}\n",
    ),
    (
        "import-line-already-at-top",
        intent(target="Thing", after=None, import_line="from pkg.other import Thing"),
        "from pkg.other import Other, Thing\n\nx = 1\n",
        f"from pkg.other import Other, Thing\n\nx = 1\nOld = Thing{C}\n",
    ),
    (
        "import-line-present-only-after-the-alias-place",
        intent(target="Thing", after="x", import_line="from pkg.other import Thing"),
        "x = 1\ny = 2\nfrom pkg.other import Thing\n",
        f"x = 1\nfrom pkg.other import Thing\nOld = Thing{C}\ny = 2\nfrom pkg.other import Thing\n",
    ),
    (
        "import-line-same-name-other-module-is-added",
        intent(target="Thing", after=None, import_line="from pkg.other import Thing"),
        "from pkg.elsewhere import Thing\n",
        f"from pkg.elsewhere import Thing\nfrom pkg.other import Thing\nOld = Thing{C}\n",
    ),
    (
        "crlf",
        intent(),
        "class New:\r\n    pass\r\n\r\n\r\nx = 1\r\n",
        f"class New:\r\n    pass\r\n\r\n\r\nOld = New{C}\r\n\r\n\r\nx = 1\r\n",
    ),
    (
        "tabs-and-non-ascii",
        intent(alias="Ancien", target="Nouveau", after="Nouveau"),
        "class Nouveau:\n\tdef é(self):\n\t\treturn 'é'\n",
        f"class Nouveau:\n\tdef é(self):\n\t\treturn 'é'\n\n\nAncien = Nouveau{C}\n",
    ),
]


@pytest.mark.parametrize(
    ("alias_intent", "before", "after"),
    [c[1:] for c in GOLDEN],
    ids=[c[0] for c in GOLDEN],
)
def test_golden(
    fixer: FixRunner, alias_intent: AddAlias, before: str, after: str
) -> None:
    fix = fixer.build(alias_intent, before)
    assert fix is not None
    assert not fix.safe
    assert len(fix.edits) == 1
    assert fixer.apply(alias_intent, before) == after


def test_edit_is_a_pure_insertion(fixer: FixRunner) -> None:
    fix = fixer.build(intent(), "New = 1\nx = 2\n")
    assert fix is not None
    (edit,) = fix.edits
    assert (
        (edit.span.start_line, edit.span.start_column)
        == (edit.span.end_line, edit.span.end_column)
        == (2, 1)
    )
    assert edit.new_text == f"Old = New{C}\n"


@pytest.mark.parametrize(
    ("alias_intent", "before"),
    [
        pytest.param(
            intent(), f"class New:\n    pass\nOld = New{C}\n", id="alias-already-there"
        ),
        pytest.param(
            intent(),
            "class New:\n    pass\nOld = New\n",
            id="alias-already-there-without-comment",
        ),
        pytest.param(intent(), "class New(:\n    pass\n", id="unparseable-source"),
        pytest.param(intent(alias="class"), "New = 1\n", id="keyword-alias"),
        pytest.param(intent(alias="a.b"), "New = 1\n", id="dotted-alias"),
        pytest.param(intent(target="New +"), "New = 1\n", id="bad-target"),
        pytest.param(
            intent(target="New\nimport os"), "New = 1\n", id="multi-line-target"
        ),
        pytest.param(
            intent(import_line="x = 1"), "New = 1\n", id="import-line-not-an-import"
        ),
        pytest.param(
            intent(import_line="import a\nimport b"),
            "New = 1\n",
            id="import-line-two-lines",
        ),
        pytest.param(
            intent(import_line="from __future__ import annotations"),
            "New = 1\n",
            id="result-would-not-compile",
        ),
    ],
)
def test_none(fixer: FixRunner, alias_intent: AddAlias, before: str) -> None:
    assert fixer.build(alias_intent, before) is None
