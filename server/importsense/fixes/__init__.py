"""Turn fix intents into re-parsed text edits: `build_fix`, `apply_edits`, `absolutize_all`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..model import (
    AbsolutizeImport,
    AddAlias,
    CreateMethod,
    Fix,
    FixIntent,
    ImportFromElsewhere,
    ReplaceText,
    TextEdit,
)
from .absolutize import absolutize, absolutize_all
from .add_alias import add_alias
from .create_method import create_method
from .edits import (
    apply_edits,
    minimal_edits,
    offset_to_position,
    parses,
    position_to_offset,
    span_to_offsets,
)
from .rewrite_import import import_from_elsewhere

__all__ = [
    "absolutize_all",
    "apply_edits",
    "build_fix",
    "minimal_edits",
    "offset_to_position",
    "position_to_offset",
]


def build_fix(intent: FixIntent, read_text: Callable[[Path], str]) -> Fix | None:
    """Turn an intent into re-parsed edits; None when the edit cannot be made or would not parse.

    `read_text(path)` gives the current text of a file (unsaved buffer or disk); nothing is written.
    """
    path = _file_of(intent)
    if path is None:
        return None
    try:
        text = read_text(path)
    except (
        OSError,
        ValueError,
    ):  # missing, unreadable or undecodable (UnicodeError is a ValueError)
        return None
    if isinstance(intent, AbsolutizeImport):
        return absolutize(intent, text)
    if isinstance(intent, ReplaceText):
        return _replace_text(intent, text)
    if isinstance(intent, ImportFromElsewhere):
        return import_from_elsewhere(intent, text)
    if isinstance(intent, AddAlias):
        return add_alias(intent, text)
    if isinstance(intent, CreateMethod):
        return create_method(intent, text)
    return None


def _file_of(intent: FixIntent) -> Path | None:
    if isinstance(intent, (AbsolutizeImport, ReplaceText, ImportFromElsewhere)):
        return intent.path
    if isinstance(intent, (AddAlias, CreateMethod)):
        return intent.target_path
    return None


def _replace_text(intent: ReplaceText, text: str) -> Fix | None:
    try:
        start, end = span_to_offsets(text, intent.span)
    except ValueError:
        return None
    if text[start:end] == intent.new_text:
        return None
    if not parses(text[:start] + intent.new_text + text[end:]):
        return None
    edit = TextEdit(intent.path, intent.span, intent.new_text)
    return Fix(
        title=intent.title, edits=(edit,), preferred=intent.preferred, safe=False
    )
