"""CreateMethod: a NotImplementedError stub at the end of the class body, in the body's own indentation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from importsense.model import CreateMethod

if TYPE_CHECKING:
    from conftest import FixRunner

FILE = Path("/project/pkg/models.py")
CRLF, TAB = "\r\n", "\t"


def intent(class_name: str = "A", method: str = "run") -> CreateMethod:
    return CreateMethod(
        "create-method",
        f"Create method '{class_name}.{method}'",
        False,
        FILE,
        class_name,
        method,
    )


def stub(
    indent: str, unit: str = "    ", name: str = "run", newline: str = "\n"
) -> str:
    return (
        f"{indent}def {name}(self, *args, **kwargs):{newline}"
        f'{indent}{unit}raise NotImplementedError("{name}")  # added by importsense'
    )


GOLDEN = [
    (
        "append",
        intent(),
        "class A:\n    x = 1\n",
        f"class A:\n    x = 1\n\n{stub('    ')}\n",
    ),
    (
        "append-after-last-method-before-next-class",
        intent(),
        "class A:\n    def go(self):\n        return 1\n\n\nclass B:\n    pass\n",
        f"class A:\n    def go(self):\n        return 1\n\n{stub('    ')}\n\n\nclass B:\n    pass\n",
    ),
    (
        "body-footer-comment-stays-inside",
        intent(),
        "class A:\n    x = 1\n    # more later\n\n# module comment\n",
        f"class A:\n    x = 1\n    # more later\n\n{stub('    ')}\n\n# module comment\n",
    ),
    (
        "pass-body-replaced",
        intent(),
        "class A:\n    pass\n",
        f"class A:\n{stub('    ')}\n",
    ),
    (
        "ellipsis-body-replaced",
        intent(),
        "class A(Base):\n    ...\n\nx = 1\n",
        f"class A(Base):\n{stub('    ')}\n\nx = 1\n",
    ),
    (
        "pass-with-comment-is-kept",
        intent(),
        "class A:\n    pass  # todo\n",
        f"class A:\n    pass  # todo\n\n{stub('    ')}\n",
    ),
    (
        "docstring-and-pass-appends",
        intent(),
        'class A:\n    """Doc."""\n    pass\n',
        f'class A:\n    """Doc."""\n    pass\n\n{stub("    ")}\n',
    ),
    ("one-line-pass", intent(), "class A: pass\n", f"class A:\n{stub('    ')}\n"),
    (
        "one-line-ellipsis-with-comment",
        intent(),
        "class A: ...  # c\nx = 1\n",
        f"class A:  # c\n{stub('    ')}\nx = 1\n",
    ),
    (
        "one-line-statements",
        intent(),
        "class A: x = 1; y = 2\n",
        f"class A:\n    x = 1; y = 2\n\n{stub('    ')}\n",
    ),
    (
        "two-space-indent",
        intent(),
        "class A:\n  x = 1\n",
        f"class A:\n  x = 1\n\n{stub('  ', '  ')}\n",
    ),
    (
        "tabs",
        intent(),
        "class A:\n\tx = 1\n",
        f"class A:\n\tx = 1\n\n{stub(TAB, TAB)}\n",
    ),
    (
        "nested-class",
        intent("Inner"),
        "class Outer:\n    class Inner:\n        x = 1\n    y = 2\n",
        f"class Outer:\n    class Inner:\n        x = 1\n\n{stub(' ' * 8)}\n    y = 2\n",
    ),
    (
        "nested-class-dotted-name",
        intent("Outer.Inner"),
        "class Outer:\n    class Inner:\n        pass\n",
        f"class Outer:\n    class Inner:\n{stub(' ' * 8)}\n",
    ),
    (
        "top-level-preferred-over-nested",
        intent(),
        "class Outer:\n    class A:\n        x = 1\nclass A:\n    y = 1\n",
        f"class Outer:\n    class A:\n        x = 1\nclass A:\n    y = 1\n\n{stub('    ')}\n",
    ),
    (
        "last-definition-wins",
        intent(),
        "class A:\n    x = 1\nclass A:\n    y = 1\nz = 0\n",
        f"class A:\n    x = 1\nclass A:\n    y = 1\n\n{stub('    ')}\nz = 0\n",
    ),
    (
        "decorated-class-non-ascii-before",
        intent("Ünïcode", "méthode"),
        "é = 1\n@dataclass\nclass Ünïcode:\n    ça: int = 0\n",
        f"é = 1\n@dataclass\nclass Ünïcode:\n    ça: int = 0\n\n{stub('    ', name='méthode')}\n",
    ),
    (
        "crlf",
        intent(),
        "class A:\r\n    pass\r\n",
        f"class A:\r\n{stub('    ', newline=CRLF)}\r\n",
    ),
    (
        "crlf-append",
        intent(),
        "class A:\r\n    x = 1\r\n",
        f"class A:\r\n    x = 1\r\n\r\n{stub('    ', newline=CRLF)}\r\n",
    ),
    (
        "no-trailing-newline",
        intent(),
        "class A:\n    x = 1",
        f"class A:\n    x = 1\n\n{stub('    ')}\n",
    ),
]


@pytest.mark.parametrize(
    ("method_intent", "before", "after"),
    [c[1:] for c in GOLDEN],
    ids=[c[0] for c in GOLDEN],
)
def test_golden(
    fixer: FixRunner, method_intent: CreateMethod, before: str, after: str
) -> None:
    fix = fixer.build(method_intent, before)
    assert fix is not None
    assert not fix.safe
    assert len(fix.edits) == 1
    assert fixer.apply(method_intent, before) == after


@pytest.mark.parametrize(
    ("method_intent", "before"),
    [
        pytest.param(intent("Missing"), "class A:\n    pass\n", id="class-not-found"),
        pytest.param(
            intent("Deep"),
            "class A:\n    class B:\n        class Deep:\n            pass\n",
            id="nested-two-levels",
        ),
        pytest.param(
            intent("A"),
            "def f():\n    class A:\n        pass\n",
            id="class-inside-function",
        ),
        pytest.param(
            intent("I"),
            "class A:\n    class I: pass\nclass B:\n    class I: pass\n",
            id="ambiguous-nested",
        ),
        pytest.param(intent("A.B.C"), "class A:\n    pass\n", id="too-dotted"),
        pytest.param(
            intent(), "class A:\n    def run(self):\n        pass\n", id="method-exists"
        ),
        pytest.param(
            intent(), "class A:\n    pass\n  x = (\n", id="unparseable-source"
        ),
        pytest.param(
            intent(method="class"), "class A:\n    pass\n", id="keyword-method"
        ),
        pytest.param(
            intent(method="a-b"), "class A:\n    pass\n", id="bad-method-name"
        ),
    ],
)
def test_none(fixer: FixRunner, method_intent: CreateMethod, before: str) -> None:
    assert fixer.build(method_intent, before) is None
