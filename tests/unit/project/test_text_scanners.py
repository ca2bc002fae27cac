"""The summariser's fast text scanners agree with the plain regular expressions they replace."""

import re
import sysconfig
from pathlib import Path

import pytest

from importsense.project.summary import _CTOR_ASSIGN, ctor_assignments, line_starts

EDGES = [
    "a = b = c(", "x = f(y = g(", "self.x = C(", "éabc = C(", "1abc = C(", "a == C(", "a<=C(", "x: T = C(",
    "x\n=\nC (", "=C(", " = C(", "x = \\\n  C(", "_ = mod.sub.Cls(\n", "f(key=Value(1), other = x.Y())",
]


def stdlib_texts(count: int = 150) -> list[str]:
    files = sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))[:count]
    return [f.read_text(encoding="utf-8", errors="replace") for f in files]


@pytest.mark.parametrize("text", EDGES)
def test_constructor_assignments_match_the_plain_pattern_on_edge_cases(text):
    expected = [(m.start(), m.end(), m.groups()) for m in _CTOR_ASSIGN.finditer(text)]
    assert [(m.start(), m.end(), m.groups()) for m in ctor_assignments(text)] == expected


def test_constructor_assignments_match_the_plain_pattern_on_the_stdlib():
    texts = stdlib_texts()
    assert len(texts) > 100
    for text in texts:
        expected = [(m.start(), m.end(), m.groups()) for m in _CTOR_ASSIGN.finditer(text)]
        assert [(m.start(), m.end(), m.groups()) for m in ctor_assignments(text)] == expected


@pytest.mark.parametrize("text", ["", "a", "a\n", "a\nbb\n\nc", "x\r\ny\rz\n", "\n\n", "\f\n\x0b\n\u2028x\n"])
def test_line_starts_break_only_where_python_does(text):
    assert line_starts(text) == [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
