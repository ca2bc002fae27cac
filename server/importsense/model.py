"""Findings, fix intents and text edits as plain dataclasses: the language every room speaks, with no LSP types.

Positions: lines are 1-based; columns are 1-based and count Unicode code points
(Python `str` indices + 1). End positions are exclusive. The LSP room converts
to 0-based UTF-16 positions; the CLI prints them as they are.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


class Severity(str, enum.Enum):
    """How loud a finding is; ordered from loudest to quietest."""

    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, value: str) -> "Severity":
        """Accept the four names and the common aliases ('info', 'warn')."""
        text = value.strip().lower()
        text = {"info": "information", "warn": "warning", "err": "error"}.get(text, text)
        return cls(text)


_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFORMATION: 2, Severity.HINT: 3}


@dataclass(frozen=True, order=True)
class Span:
    """A range in a file: 1-based lines, 1-based code-point columns, end exclusive."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> "Span":
        return cls(line, column, line, column)

    def to_json(self) -> dict[str, int]:
        return {
            "line": self.start_line,
            "column": self.start_column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


@dataclass(frozen=True)
class TextEdit:
    """Replace `span` in the file at `path` with `new_text`."""

    path: Path
    span: Span
    new_text: str

    def to_json(self, root: Path | None = None) -> dict[str, Any]:
        return {
            "path": display_path(self.path, root),
            "start_line": self.span.start_line,
            "start_column": self.span.start_column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "new_text": self.new_text,
        }


@dataclass(frozen=True)
class Fix:
    """A ready edit set: a title a person reads and the edits that carry it out."""

    title: str
    edits: tuple[TextEdit, ...]
    preferred: bool = False
    safe: bool = False  # safe fixes are applied by `importsense check --fix`

    def to_json(self, root: Path | None = None) -> dict[str, Any]:
        return {"title": self.title, "edits": [edit.to_json(root) for edit in self.edits]}


# ---------------------------------------------------------------------------
# Fix intents: what a check knows should be done, as data. The fixes room turns
# an intent into a `Fix` (libcst, re-parse guard) lazily, so a check never pays
# for building edits and an LSP Diagnostic can carry the intent in `data`.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FixIntent:
    """Base of all fix intents. `kind` names the transform in the fixes room."""

    kind: str
    title: str
    preferred: bool = False

    def to_data(self) -> dict[str, Any]:
        data = {k: _jsonable(v) for k, v in self.__dict__.items()}
        return data


@dataclass(frozen=True)
class AbsolutizeImport(FixIntent):
    """Rewrite the module part of the relative `from` import at `span` to `absolute_module`."""

    path: Path = Path()
    span: Span = Span(0, 0, 0, 0)  # the `from ... import ...` statement
    absolute_module: str = ""


@dataclass(frozen=True)
class ReplaceText(FixIntent):
    """Replace exactly `span` in `path` with `new_text` (renames, patch strings, module paths)."""

    path: Path = Path()
    span: Span = Span(0, 0, 0, 0)
    new_text: str = ""


@dataclass(frozen=True)
class ImportFromElsewhere(FixIntent):
    """Move `name` out of the `from` import at `span` into `from new_module import name`."""

    path: Path = Path()
    span: Span = Span(0, 0, 0, 0)  # the whole `from ... import ...` statement
    name: str = ""
    new_module: str = ""


@dataclass(frozen=True)
class AddAlias(FixIntent):
    """Add `alias = target_expr` to the module file `target_path`, after `after_name` when given."""

    target_path: Path = Path()
    alias: str = ""
    target_expr: str = ""
    after_name: str | None = None
    import_line: str | None = None  # e.g. "from pkg.other import Thing" when the target is not bound there


@dataclass(frozen=True)
class CreateMethod(FixIntent):
    """Add `def name(self, *args, **kwargs): raise NotImplementedError` to class `class_name` in `target_path`."""

    target_path: Path = Path()
    class_name: str = ""
    method_name: str = ""


INTENT_TYPES: dict[str, type[FixIntent]] = {
    "absolutize": AbsolutizeImport,
    "replace": ReplaceText,
    "import-from-elsewhere": ImportFromElsewhere,
    "add-alias": AddAlias,
    "create-method": CreateMethod,
}


def intent_from_data(data: dict[str, Any]) -> FixIntent:
    """Rebuild an intent from `FixIntent.to_data()` (LSP Diagnostic.data round-trip)."""
    cls = INTENT_TYPES[data["kind"]]
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("path", "target_path") and value is not None:
            values[key] = Path(value)
        elif key == "span" and value is not None:
            values[key] = Span(**value)
        else:
            values[key] = value
    return cls(**values)


@dataclass(frozen=True)
class Finding:
    """One problem in one file, with what we suggest and what we can fix."""

    path: Path
    span: Span
    rule: str
    severity: Severity
    message: str
    suggestions: tuple[str, ...] = ()
    intents: tuple[FixIntent, ...] = ()
    related: tuple[tuple[Path, Span, str], ...] = ()  # (path, span, message): e.g. the root of a cascade
    cascade: bool = False  # an echo of a problem reported at its root: kept at information severity

    def with_severity(self, severity: Severity) -> "Finding":
        return replace(self, severity=severity)

    def to_json(self, root: Path | None = None, fix: Fix | None = None) -> dict[str, Any]:
        return {
            "path": display_path(self.path, root),
            "line": self.span.start_line,
            "column": self.span.start_column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "suggestions": list(self.suggestions),
            "fix": fix.to_json(root) if fix else None,
        }

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.path), self.span.start_line, self.span.start_column, self.rule)


@dataclass
class CheckReport:
    """What one run of the checks produced over many files."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)  # human messages for skipped inputs


def display_path(path: Path, root: Path | None) -> str:
    """POSIX path relative to `root` when inside it, else absolute POSIX."""
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Span):
        return {
            "start_line": value.start_line,
            "start_column": value.start_column,
            "end_line": value.end_line,
            "end_column": value.end_column,
        }
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value
