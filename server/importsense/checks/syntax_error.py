"""syntax-error: a file that does not parse gets one finding at the error; the run goes on with the others."""

from __future__ import annotations

from typing import Iterator

from ..model import Finding, Severity, Span
from .context import CheckContext

RULE = "syntax-error"


def check(context: CheckContext) -> Iterator[Finding]:
    error = context.summary.syntax_error
    if error is None:
        return
    too_large = context.summary.open_namespace  # set only for files too large to analyse
    yield Finding(
        path=context.path,
        span=Span(error.line, error.column, error.line, error.column + 1),
        rule=RULE,
        severity=Severity.INFORMATION if too_large else Severity.ERROR,
        message=error.message if too_large else f"SyntaxError: {error.message}",
    )
