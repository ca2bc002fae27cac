"""CheckContext: the one file being checked, its summary, and the index it is checked against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..model import Severity
from ..project.index import ModuleIndex
from ..project.summary import FileSummary, ImportRecord


@dataclass
class CheckContext:
    path: Path
    summary: FileSummary
    index: ModuleIndex
    settings: Settings
    module: str | None  # dotted name of this file, None when it is not importable

    def shown(self, path: Path | None) -> str:
        """A path as people read it in a message: relative to the project root when inside it."""
        if path is None:
            return "?"
        try:
            return path.relative_to(self.settings.root).as_posix()
        except ValueError:
            return path.as_posix()

    def absolute_from(self, record: ImportRecord) -> str | None:
        """The absolute module a `from` import names; None when a relative import climbs above the top."""
        if not record.level:
            return record.module
        return self.index.absolute_module(self.path, record.level, record.module)


def guarded_severity(record: ImportRecord, severity: Severity) -> Severity:
    """Imports under try/except ImportError or version/platform checks are never louder than information."""
    if record.guard and severity.rank < Severity.INFORMATION.rank:
        return Severity.INFORMATION
    return severity
