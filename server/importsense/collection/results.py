"""Plain dataclasses for collection results: per-file status, errors, root causes; JSON-able."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from importsense.model import display_path

Status = Literal["ok", "error"]
Source = Literal["static", "pytest"]
Mode = Literal["static", "cold", "warm"]


class CancelToken(Protocol):
    """What collection needs of a cancel flag; `threading.Event` is one."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


@dataclass(frozen=True)
class CollectionError:
    """Why one file fails to collect.

    `line` is the line in the test file itself where collection fails (None when
    the file is fine but a conftest above it is not, or the line is unknown);
    `root_path`/`root_line` name the deepest first-party frame when the failure
    happens inside another module.
    """

    type: str
    message: str
    line: int | None = None
    root_path: Path | None = None
    root_line: int | None = None
    module: str | None = None  # ImportError.name: the module that failed to import

    def to_json(self, root: Path | None = None) -> dict[str, Any]:
        return {
            "type": self.type,
            "message": self.message,
            "line": self.line,
            "root": (
                {"path": display_path(self.root_path, root), "line": self.root_line}
                if self.root_path is not None
                else None
            ),
        }


@dataclass(frozen=True)
class FileStatus:
    """One test file: does it collect, and how many tests does it hold.

    `source` says who decided: "static" (AST estimate) or "pytest" (a real run).
    `exact` is False when a static count cannot be sure (non-literal parametrize,
    `pytest_generate_tests`, imported tests, unknown base classes).
    """

    path: Path
    status: Status
    tests: int
    node_ids: tuple[str, ...] = ()
    error: CollectionError | None = None
    source: Source = "pytest"
    exact: bool = True

    def to_json(self, root: Path | None = None, *, node_ids: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": display_path(self.path, root),
            "status": self.status,
            "tests": self.tests,
            "error": self.error.to_json(root) if self.error else None,
            "source": self.source,
        }
        if self.source == "static":
            data["exact"] = self.exact
        if node_ids:
            data["node_ids"] = list(self.node_ids)
        return data


@dataclass(frozen=True)
class RootCause:
    """One first-party import or statement that keeps `blocked_files` from collecting."""

    path: Path
    line: int | None
    message: str
    blocked_files: tuple[Path, ...]

    def to_json(self, root: Path | None = None) -> dict[str, Any]:
        return {
            "path": display_path(self.path, root),
            "line": self.line,
            "message": self.message,
            "blocked_files": len(self.blocked_files),
        }


@dataclass
class CollectionResult:
    """What one collection (static, cold or warm) found, file by file.

    `problems` holds human messages about the run itself (pytest missing, a
    worker that died); `cancelled` is True when a newer request stopped it, in
    which case `files` holds only what was reported before the stop.
    """

    files: list[FileStatus] = field(default_factory=list)
    mode: Mode = "cold"
    duration: float = 0.0
    cancelled: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def tests(self) -> int:
        return sum(f.tests for f in self.files)

    @property
    def errors(self) -> list[FileStatus]:
        return [f for f in self.files if f.status == "error"]

    def by_path(self) -> dict[Path, FileStatus]:
        return {f.path: f for f in self.files}

    def summary(self) -> dict[str, int]:
        return {"files": len(self.files), "tests": self.tests, "errors": len(self.errors)}


def merge_results(previous: CollectionResult, fresh: CollectionResult) -> CollectionResult:
    """`previous` with every file that `fresh` reports replaced by its fresh status."""
    statuses = previous.by_path()
    statuses.update(fresh.by_path())
    return replace(
        fresh,
        files=sorted(statuses.values(), key=lambda f: f.path),
        problems=list(fresh.problems),
    )
