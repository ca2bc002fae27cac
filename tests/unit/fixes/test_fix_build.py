"""build_fix: dispatch, ReplaceText, unreadable files, Diagnostic.data round trips, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from importsense.fixes import apply_edits, build_fix
from importsense.model import (
    AbsolutizeImport,
    AddAlias,
    CreateMethod,
    FixIntent,
    ImportFromElsewhere,
    ReplaceText,
    Span,
    TextEdit,
    intent_from_data,
)

if TYPE_CHECKING:
    from conftest import FixRunner

FILE = Path("/project/pkg/sub/mod.py")


def replace(span: Span, new_text: str) -> ReplaceText:
    return ReplaceText("replace", "Rename", True, FILE, span, new_text)


def test_replace_text_is_exactly_the_span(fixer: FixRunner) -> None:
    before = "é = 1; mock.patch('pkg.old.thing')\n"
    intent = replace(Span(1, 20, 1, 33), "pkg.new.thing")
    fix = fixer.build(intent, before)
    assert fix is not None
    assert fix.edits == (TextEdit(FILE, Span(1, 20, 1, 33), "pkg.new.thing"),)
    assert not fix.safe and fix.preferred
    assert apply_edits(before, fix.edits) == "é = 1; mock.patch('pkg.new.thing')\n"


def test_replace_text_across_crlf_lines(fixer: FixRunner) -> None:
    before = "x = (\r\n    old)\r\n"
    assert fixer.apply(replace(Span(1, 5, 2, 9), "new"), before) == "x = new\r\n"


@pytest.mark.parametrize(
    ("before", "span", "new_text"),
    [
        pytest.param("x = old\n", Span(1, 5, 1, 8), "1 +", id="result-would-not-parse"),
        pytest.param("x = old\n", Span(1, 5, 1, 8), "old", id="no-change"),
        pytest.param("x = old\n", Span(1, 5, 1, 30), "new", id="span-past-line-end"),
        pytest.param("x = old\n", Span(3, 1, 3, 2), "new", id="span-past-file-end"),
        pytest.param("x = old\n", Span(1, 8, 1, 5), "new", id="span-backwards"),
        pytest.param("x = (old\n", Span(1, 6, 1, 9), "new", id="still-unparseable"),
    ],
)
def test_replace_text_none(
    fixer: FixRunner, before: str, span: Span, new_text: str
) -> None:
    assert fixer.build(replace(span, new_text), before) is None


def test_replace_text_may_repair_an_unparseable_file(fixer: FixRunner) -> None:
    assert fixer.apply(replace(Span(1, 5, 1, 9), "old"), "x = (old\n") == "x = old\n"


ALL_KINDS: list[FixIntent] = [
    AbsolutizeImport("absolutize", "a", True, FILE, Span(1, 1, 1, 16), "pkg.sub"),
    ReplaceText("replace", "r", False, FILE, Span(1, 15, 1, 16), "z"),
    ImportFromElsewhere(
        "import-from-elsewhere", "i", False, FILE, Span(1, 1, 1, 16), "y", "other"
    ),
    AddAlias("add-alias", "al", False, FILE, "Y", "y", "y", None),
    CreateMethod("create-method", "c", False, FILE, "K", "go"),
]
BEFORE = "from . import y\nclass K:\n    pass\n"


@pytest.mark.parametrize("intent", ALL_KINDS, ids=[intent.kind for intent in ALL_KINDS])
def test_every_kind_survives_the_diagnostic_data_round_trip(
    fixer: FixRunner, intent: FixIntent
) -> None:
    direct = fixer.build(intent, BEFORE)
    rebuilt = fixer.build(intent_from_data(intent.to_data()), BEFORE)
    assert direct is not None
    assert rebuilt == direct
    assert direct.safe == isinstance(intent, AbsolutizeImport)


@pytest.mark.parametrize("intent", ALL_KINDS, ids=[intent.kind for intent in ALL_KINDS])
def test_unreadable_file_gives_none(intent: FixIntent) -> None:
    def missing(path: Path) -> str:
        raise FileNotFoundError(path)

    def undecodable(path: Path) -> str:
        return b"\xff\xfe".decode("utf-8")

    def refused(path: Path) -> str:
        raise ValueError(f"{path}: not UTF-8 and no coding cookie")

    assert build_fix(intent, missing) is None
    assert build_fix(intent, undecodable) is None
    assert build_fix(intent, refused) is None


def test_unknown_intent_kind_gives_none() -> None:
    assert build_fix(FixIntent("mystery", "?"), lambda path: "") is None


def test_real_file_is_read_but_never_written(tmp_path: Path) -> None:
    module = tmp_path / "pkg" / "old.py"
    module.parent.mkdir()
    module.write_bytes(b"class New:\r\n    pass\r\n")
    before = module.stat().st_mtime_ns
    intents = [
        AddAlias("add-alias", "Add alias", False, module, "Old", "New", "New", None),
        CreateMethod("create-method", "Create", False, module, "New", "go"),
    ]
    for intent in intents:
        fix = build_fix(intent, lambda path: path.read_bytes().decode("utf-8"))
        assert fix is not None
        assert all(edit.path == module for edit in fix.edits)
    assert module.read_bytes() == b"class New:\r\n    pass\r\n"
    assert module.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["old.py", "pkg"]
