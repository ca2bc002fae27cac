"""relative-import / invalid-relative-import: `from .x import y` and relative imports that climb above the top.

Why: relative imports break when a file is run or collected from another root (pytest's rootdir
insertion, scripts), and they hide where a name really lives. The fix rewrites the module part to its
absolute form, keeping aliases, parentheses and comments. Safe: the absolute form names the same file.
"""

from __future__ import annotations

from typing import Iterator

from ..model import AbsolutizeImport, Finding, Severity
from .context import CheckContext

RULE = "relative-import"
INVALID_RULE = "invalid-relative-import"


def check(context: CheckContext) -> Iterator[Finding]:
    for record in context.summary.imports:
        if not record.is_from or not record.level:
            continue
        dots = "." * record.level
        written = f"from {dots}{record.module} import ..."
        span = record.module_span or record.span
        if context.module is None:
            continue  # not importable under any root: we cannot tell what it would mean
        absolute = context.absolute_from(record)
        if absolute is None:
            package = context.module if context.path.stem == "__init__" else context.module.rpartition(".")[0]
            where = f"package '{package}'" if package else "a module that is not inside a package"
            yield Finding(
                path=context.path,
                span=span,
                rule=INVALID_RULE,
                severity=Severity.ERROR,
                message=(
                    f"`{written}` climbs above the top-level package: it is in {where} "
                    "(ImportError: attempted relative import beyond top-level package / with no known parent package)"
                ),
            )
            continue
        yield Finding(
            path=context.path,
            span=span,
            rule=RULE,
            severity=Severity.WARNING,
            message=f"Relative import `{written}`: use `from {absolute} import ...`",
            suggestions=(f"from {absolute} import ...",),
            intents=(
                AbsolutizeImport(
                    kind="absolutize",
                    title=f"Convert to absolute import: from {absolute} import ...",
                    preferred=True,
                    path=context.path,
                    span=record.span,
                    absolute_module=absolute,
                ),
            ),
        )
