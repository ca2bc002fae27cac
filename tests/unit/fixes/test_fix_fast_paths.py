"""The fast paths that give libcst one statement or one class give the whole-file rewrite's text."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from importsense.fixes import apply_edits
from importsense.model import CreateMethod, ImportFromElsewhere, Span

create_module = importlib.import_module("importsense.fixes.create_method")  # the package re-exports a function
rewrite_module = importlib.import_module("importsense.fixes.rewrite_import")  # of the same name

FILE = Path("/project/pkg/mod.py")

BEFORE = "import os\n\n\ndef helper():\n    return os.sep\n\n\n"
AFTER = "\n\nclass Later:\n    pass\n"

IMPORTS = {
    "alone": "from old.home import N\n",
    "first of two": "from old.home import N, other\n",
    "last of three": "from old.home import a, b, N  # keep me\n",
    "parenthesised": "from old.home import (\n    a,\n    N,\n    c,\n)\n",
    "with a call after it": "from old.home import a, N; N()\n",
    "aliased": "from old.home import N as M, z\n",
    "crlf": "from old.home import a, N\nx = 1\n",  # the whole file is turned to CRLF below
}


def import_span(text: str, statement: str) -> Span:
    first = text.index(statement)
    line = text.count("\n", 0, first) + 1
    last = line + statement.rstrip("\r\n").count("\n")
    return Span(line, 1, last, len(statement.rstrip("\r\n").split("\n")[-1]) + 1)


@pytest.mark.parametrize("case", sorted(IMPORTS))
@pytest.mark.parametrize("at_end", [False, True])
def test_import_from_elsewhere_fast_path_equals_the_whole_file(case, at_end):
    statement = IMPORTS[case]
    text = BEFORE + statement + ("" if at_end else AFTER)
    if at_end:
        text = text.rstrip("\r\n")  # the last line without a line break
    if case == "crlf":
        text, statement = text.replace("\n", "\r\n"), statement.replace("\n", "\r\n")
    intent = ImportFromElsewhere("import-from-elsewhere", "Import N from new.home", False, FILE,
                                 import_span(text, statement.rstrip("\r\n")), "N", "new.home")
    fast = rewrite_module._statement_only(intent, text)
    assert fast is not None, "the fast path did not run"
    whole = rewrite_module._rewrite(intent, text)
    assert (fast.title, apply_edits(text, fast.edits)) == (whole.title, apply_edits(text, whole.edits))


CLASSES = {
    "plain": "class A:\n    x = 1\n",
    "decorated, trailing comments": "@decorate\nclass A(Base):\n    def go(self):\n        pass\n    # trailing\n\n        # deeper\n",
    "placeholder": "class A:\n    ...\n",
    "one-line body": "class A: pass\n",
    "tab indented": "class A:\n\tdef go(self):\n\t\treturn 1\n",
    "docstring with a column-0 line": 'class A:\n    """Doc\nclass Fake:\n    """\n    y = 2\n',
    "redefined": "class A:\n    old = 1\n\n\nclass A:\n    new = 2\n",
}


@pytest.mark.parametrize("case", sorted(CLASSES))
@pytest.mark.parametrize("tail", ["", "# a top-level comment\nvalue = 1\n", "\n\n"])
def test_create_method_fast_path_equals_the_whole_file(case, tail):
    text = BEFORE + CLASSES[case] + tail
    intent = CreateMethod("create-method", "Create method A.run", False, FILE, "A", "run")
    fast = create_module._class_only(intent, text)
    assert fast is not None, "the fast path did not run"
    whole = create_module._whole_file(intent, text)
    assert (fast.title, apply_edits(text, fast.edits)) == (whole.title, apply_edits(text, whole.edits))


def test_nested_classes_take_the_whole_file_path():
    text = "class Outer:\n    class A:\n        pass\n"
    intent = CreateMethod("create-method", "Create method A.run", False, FILE, "A", "run")
    assert create_module._class_only(intent, text) is None
    assert create_module.create_method(intent, text) is not None
