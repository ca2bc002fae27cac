"""Render a CollectionResult as the CLI's text table or JSON document."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from importsense.collection.results import CollectionResult, FileStatus, RootCause
from importsense.model import display_path

MAX_ERROR_WIDTH = 120


def to_json(result: CollectionResult, root: Path, roots: Sequence[RootCause] | None = None, *, node_ids: bool = False) -> dict[str, Any]:
    """`{"files": [...], "roots": [...], "summary": {"files", "tests", "errors"}}` plus the run's mode and problems."""
    return {
        "files": [f.to_json(root, node_ids=node_ids) for f in result.files],
        "roots": [r.to_json(root) for r in (roots or ())],
        "summary": result.summary(),
        "mode": result.mode,
        "cancelled": result.cancelled,
        "problems": list(result.problems),
    }


def render_text(result: CollectionResult, root: Path, roots: Sequence[RootCause] | None = None) -> str:
    """A table (file, status, tests, first error), a summary line, then the root causes ranked."""
    rows = [("file", "status", "tests", "first error")]
    for status in result.files:
        rows.append((display_path(status.path, root), status.status, _tests_cell(status), _error_cell(status, root)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]), row[3]]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append(summary_line(result))
    for problem in result.problems:
        lines.append(f"note: {problem}")
    if roots:
        lines.append("")
        lines.append(f"Root causes, by test files blocked ({len(roots)}):")
        for cause in roots:
            where = display_path(cause.path, root) + (f":{cause.line}" if cause.line else "")
            count = len(cause.blocked_files)
            lines.append(f"  {where} blocks {count:,} test file{'s' if count != 1 else ''}: {_one_line(cause.message)}")
    return "\n".join(lines) + "\n"


def summary_line(result: CollectionResult) -> str:
    """'3,028 tests in 412 files; 17 files fail to collect' (estimates marked with ~)."""
    static = result.mode == "static"
    estimate = static and any(not f.exact for f in result.files)
    tests = result.tests
    files = len(result.files)
    errors = len(result.errors)
    head = f"{'~' if estimate else ''}{tests:,} test{'s' if tests != 1 else ''} in {files:,} file{'s' if files != 1 else ''}"
    if errors:
        tail = f"{errors:,} file{'s' if errors != 1 else ''} {'fail' if errors != 1 else 'fails'} to collect"
    else:
        tail = "all files collect"
    line = f"{head}; {tail}"
    if static:
        line += " (static estimate)"
    if result.cancelled:
        line += " (cancelled before the end)"
    return line


def _tests_cell(status: FileStatus) -> str:
    if status.status == "error":
        return "-" if status.tests == 0 else str(status.tests)
    return f"~{status.tests}" if not status.exact else str(status.tests)


def _error_cell(status: FileStatus, root: Path) -> str:
    error = status.error
    if error is None:
        return ""
    text = f"{error.type}: {_one_line(error.message)}" if error.message else error.type
    if error.line is not None:
        text = f"line {error.line}: {text}"
    if error.root_path is not None:
        where = display_path(error.root_path, root) + (f":{error.root_line}" if error.root_line else "")
        text += f" (in {where})"
    return text if len(text) <= MAX_ERROR_WIDTH else text[: MAX_ERROR_WIDTH - 1] + "…"


def _one_line(message: str) -> str:
    lines = [l.strip() for l in message.splitlines() if l.strip()]
    return lines[0] if lines else ""
