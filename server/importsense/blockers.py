"""Which test files fail to import, statically: the blocking findings of every module their imports run."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .checks import IMPORT_RULE_FUNCTIONS
from .model import display_path
from .project.summary import FileSummary, ImportRecord

if TYPE_CHECKING:
    from .engine import Project

Blocker = tuple[int, str, Path, int]  # (line in the file, why, root file, root line)

BLOCKING_RULES = {"unresolved-module", "missing-name", "syntax-error", "invalid-relative-import"}


class BlockerSearch:
    """One search over a project's import graph; what it learns about modules serves every test file.

    A module fails to import when its own module-level findings include a blocking one (warnings and
    guarded imports may be fine at run time); a test file fails when it does, or when a module its
    module-level imports run does, transitively. The failure reported is the first one met depth first
    in import order. Modules a search went through without finding one are clean: everything they reach
    was searched too, so later searches skip them, and each module is expanded about once per search
    instead of once per test file and import.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._own: dict[Path, Blocker | None] = {}
        self._successors: dict[Path, list[Path]] = {}
        self._clean: set[Path] = set()
        self._failing: dict[Path, Path | None] = {}

    def blockers(self, test_files: Iterable[Path]) -> dict[Path, Blocker]:
        found, _ = self.some_blockers(list(test_files), None)
        return found

    def some_blockers(self, test_files: list[Path], seconds: float | None) -> tuple[dict[Path, Blocker], list[Path]]:
        """The blockers of the test files taken in order until `seconds` have passed (None: all), and the
        test files left: a caller sharing a thread with other work asks in turns."""
        deadline = None if seconds is None else time.perf_counter() + seconds
        found: dict[Path, Blocker] = {}
        for done, test_file in enumerate(test_files):
            if deadline is not None and done and time.perf_counter() > deadline:
                return found, test_files[done:]
            blocker = self.own_blocker(test_file) or self._through_imports(test_file)
            if blocker is not None:
                found[test_file] = blocker
        return found, []

    def own_blocker(self, path: Path) -> Blocker | None:
        """The first blocking module-level finding of `path` itself (cached)."""
        if path in self._own:
            return self._own[path]
        self._own[path] = None
        summary = self.project.index.summary(path)
        if summary is None:
            return None
        for finding in self.project.check_file(path, summary=summary, rules=IMPORT_RULE_FUNCTIONS):
            if finding.rule not in BLOCKING_RULES:
                continue
            if finding.severity.rank > 0 and not finding.cascade:
                continue  # warnings (not installed) and guarded imports may be fine at run time
            if finding.rule != "syntax-error" and import_scope(summary, finding.span.start_line) != "module":
                continue
            root_path, root_line = path, finding.span.start_line
            if finding.related:
                root_path, root_span, _ = finding.related[0]
                root_line = root_span.start_line
            self._own[path] = (finding.span.start_line, finding.message, root_path, root_line)
            break
        return self._own[path]

    def _through_imports(self, test_file: Path) -> Blocker | None:
        summary = self.project.index.summary(test_file)
        if summary is None:
            return None
        index = self.project.index
        for record in summary.imports:
            if record.scope == "function" or record.guard:
                continue
            for module in self.modules_run_by(test_file, record):
                path = self._failing_from(module)
                if path is not None:
                    line, message, root_path, root_line = self._own[path]  # type: ignore[misc]
                    shown = display_path(path, self.project.root)
                    return (record.span.start_line,
                            f"imports {index.module_name_for(path)}, which fails ({shown}:{line}: {message})",
                            root_path, root_line)
        return None

    def _failing_from(self, start: Path) -> Path | None:
        """The first module reachable from `start` (itself included) that fails to import."""
        if start in self._failing:
            return self._failing[start]
        seen: set[Path] = set()
        stack = [start]
        result = None
        while stack:
            path = stack.pop()
            if path in seen or path in self._clean:
                continue
            seen.add(path)
            if self.own_blocker(path) is not None:
                result = path
                break
            stack.extend(self._imported_by(path))
        if result is None:
            self._clean.update(seen)
        self._failing[start] = result
        return result

    def _imported_by(self, path: Path) -> list[Path]:
        found = self._successors.get(path)
        if found is None:
            summary = self.project.index.summary(path)
            found = self._successors[path] = [] if summary is None else [
                module for record in summary.imports if record.scope != "function" and not record.guard
                for module in self.modules_run_by(path, record)]
        return found

    def modules_run_by(self, path: Path, record: ImportRecord) -> list[Path]:
        """First-party files a module-level import executes (packages' __init__ included)."""
        index = self.project.index
        if record.is_from:
            base = index.absolute_module(path, record.level, record.module) if record.level else record.module
            names = [base] if base else []
            names += [f"{base}.{n.name}" for n in record.names if base and n.name != "*"]
        else:
            names = [n.name for n in record.names]
        files: list[Path] = []
        for name in names:
            parts = name.split(".")
            for i in range(1, len(parts) + 1):
                resolution = index.resolve_module(".".join(parts[:i]))
                if resolution.first_party and resolution.path is not None and resolution.path.suffix == ".py":
                    files.append(resolution.path)
        return files


def import_scope(summary: FileSummary, line: int) -> str:
    for record in summary.imports:
        if record.span.start_line <= line <= record.span.end_line:
            return record.scope
    return "module"
