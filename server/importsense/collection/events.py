"""Read the plugin's JSON-lines report (and a faulthandler dump) into per-file facts and CollectionErrors."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importsense.collection.results import CollectionError, FileStatus


@dataclass
class AttemptReport:
    """Everything one pytest process reported before it ended (or was stopped)."""

    started: bool = False
    finished: bool = False
    collected: bool = False  # at least one collectstart event
    files: dict[Path, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # path -> (outcome, node ids)
    file_errors: dict[Path, dict[str, Any]] = field(default_factory=dict)
    dir_errors: dict[Path, dict[str, Any]] = field(default_factory=dict)
    in_progress: tuple[Path, str] | None = None  # (path, "file" | "dir") being collected when it stopped

    @property
    def reported(self) -> set[Path]:
        return set(self.files) | set(self.file_errors)


def read_report(path: Path) -> AttemptReport:
    """Parse a report file; a torn last line (killed mid-write) is ignored."""
    report = AttemptReport()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return report
    last_start: tuple[Path, str] | None = None
    done_since_start = False
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        kind = event.get("event")
        raw_path = event.get("path")
        where = Path(raw_path) if raw_path else None
        if kind == "start":
            report.started = True
        elif kind == "finished":
            report.finished = True
        elif kind == "collectstart" and where is not None:
            report.collected = True
            last_start = (where, event.get("kind", "file"))
            done_since_start = False
        elif kind == "file" and where is not None:
            report.files[where] = (str(event.get("outcome", "passed")), tuple(event.get("nodeids") or ()))
            done_since_start = True
        elif kind == "error" and where is not None:
            error = event.get("error") or {}
            if event.get("kind") == "dir":
                report.dir_errors.setdefault(where, error)
            else:
                report.file_errors.setdefault(where, error)
            done_since_start = True
    if not report.finished and last_start is not None and not done_since_start:
        report.in_progress = last_start
    return report


def real(path: Path | str) -> Path:
    return Path(os.path.realpath(path))


def is_under(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def error_for(error: dict[str, Any], test_file: Path | None, root: Path) -> CollectionError:
    """A plugin error dict seen from `test_file`: its own failing line, and the deepest first-party frame."""
    real_root = real(root)
    frames = []
    for entry in error.get("frames") or ():
        try:
            frame_path, frame_line, library = entry[0], int(entry[1]), bool(entry[2])
        except (IndexError, TypeError, ValueError):
            continue
        frames.append((real(frame_path), frame_line, library))
    return _error_from_frames(
        str(error.get("type") or "Error"),
        relative_message(str(error.get("message") or ""), root),
        [(p, n) for p, n, lib in frames if not lib],
        test_file,
        root,
        real_root,
        module=error.get("module"),
    )


def relative_message(message: str, root: Path) -> str:
    """`message` with absolute paths inside the project written relative to it (POSIX)."""
    for base in {str(real(root)), str(Path(os.path.abspath(root)))}:
        message = message.replace(base + os.sep, "")
    return message


def _error_from_frames(
    type_: str,
    message: str,
    frames: list[tuple[Path, int]],
    test_file: Path | None,
    root: Path,
    real_root: Path,
    *,
    module: str | None = None,
) -> CollectionError:
    """`frames` outermost first, library frames already dropped."""
    own_file = real(test_file) if test_file is not None else None
    own_lines = [n for p, n in frames if p == own_file]
    first_party = [(p, n) for p, n in frames if is_under(p, real_root)]
    root_path: Path | None = None
    root_line: int | None = None
    if first_party and first_party[-1][0] != own_file:
        deepest, root_line = first_party[-1]
        root_path = Path(root) / deepest.relative_to(real_root)
    return CollectionError(
        type=type_,
        message=message,
        line=own_lines[-1] if own_lines else None,
        root_path=root_path,
        root_line=root_line,
        module=module if isinstance(module, str) else None,
    )


_TRACE_LINE = re.compile(r'^\s*File "(?P<path>.+)", line (?P<line>\d+)')


def _trace_frames(trace_text: str) -> list[tuple[Path, int]]:
    """Frames of the signalled thread in a faulthandler dump, outermost first, library frames dropped."""
    blocks = re.split(r"\n(?=\S)", trace_text.strip())
    chosen = next((b for b in blocks if b.startswith("Current thread")), blocks[0] if blocks else "")
    frames: list[tuple[Path, int]] = []
    for line in chosen.splitlines():
        match = _TRACE_LINE.match(line)
        if match and not match["path"].startswith("<"):
            frames.append((real(match["path"]), int(match["line"])))
    frames.reverse()
    parts = ("site-packages", "dist-packages")
    return [(p, n) for p, n in frames if not any(part in p.parts for part in parts)]


def conftest_in_trace(trace_text: str) -> Path | None:
    """The directory of the innermost conftest.py on the dumped stack, if any."""
    for path, _line in reversed(_trace_frames(trace_text)):
        if path.name == "conftest.py":
            return path.parent
    return None


def error_from_trace(
    trace_text: str, type_: str, message: str, test_file: Path | None, root: Path
) -> CollectionError:
    """An error whose lines come from a faulthandler dump (most recent call first), if there is one."""
    frames = _trace_frames(trace_text)
    return _error_from_frames(type_, message, frames, test_file, root, real(root))


def file_status(path: Path, report_files: dict[Path, tuple[str, tuple[str, ...]]], error: CollectionError | None) -> FileStatus:
    _outcome, node_ids = report_files.get(path, ("passed", ()))
    if error is not None:
        return FileStatus(path, "error", len(node_ids), node_ids=node_ids, error=error, source="pytest")
    return FileStatus(path, "ok", len(node_ids), node_ids=node_ids, source="pytest")
