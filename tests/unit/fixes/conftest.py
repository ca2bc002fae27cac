"""Helpers for the fixes room's tests: build a fix from an intent and a file text, and apply it."""

from __future__ import annotations

from pathlib import Path

import pytest
from importsense.fixes import apply_edits, build_fix
from importsense.model import (
    AbsolutizeImport,
    AddAlias,
    CreateMethod,
    Fix,
    FixIntent,
    ImportFromElsewhere,
    ReplaceText,
)


def intent_file(intent: FixIntent) -> Path:
    """The file an intent edits (`path` or `target_path`)."""
    if isinstance(intent, (AddAlias, CreateMethod)):
        return intent.target_path
    assert isinstance(intent, (AbsolutizeImport, ReplaceText, ImportFromElsewhere))
    return intent.path


class FixRunner:
    """Builds a fix for an intent whose file holds `text` (checking that file, and only it, is read)."""

    def build(self, intent: FixIntent, text: str) -> Fix | None:
        reads: list[Path] = []

        def read_text(path: Path) -> str:
            reads.append(path)
            return text

        fix = build_fix(intent, read_text)
        assert reads == [intent_file(intent)]
        if fix is not None:
            assert fix.edits, "a fix without edits must be None instead"
            assert all(edit.path == intent_file(intent) for edit in fix.edits)
            assert fix.title == intent.title
            assert fix.preferred == intent.preferred
        return fix

    def apply(self, intent: FixIntent, text: str) -> str | None:
        fix = self.build(intent, text)
        return None if fix is None else apply_edits(text, fix.edits)


@pytest.fixture
def fixer() -> FixRunner:
    return FixRunner()
