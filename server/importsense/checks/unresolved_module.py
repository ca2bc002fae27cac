"""unresolved-module: an imported module that resolves nowhere (first-party: error; not installed: warning).

Also names case mismatches (`schemas.user` vs `schemas/User.py`: imports on macOS and Windows, fails on
Linux and in CI) and, when the imported names are defined in another module, where they live now.
"""

from __future__ import annotations

from typing import Iterator

from ..model import Finding, ReplaceText, Severity
from ..project.index import Resolution
from ..project.summary import ImportRecord
from .context import CheckContext, guarded_severity
from .suggestions import close_matches

RULE = "unresolved-module"


def check(context: CheckContext) -> Iterator[Finding]:
    index = context.index
    for record in context.summary.imports:
        if record.is_from:
            module = context.absolute_from(record)
            if module is None or module == "__future__":
                continue
            resolution = index.resolve_module(module)
            if resolution.kind == "missing":
                yield _finding(context, record, resolution, record.module_span or record.span,
                               [n.name for n in record.names if n.name != "*"])
        else:
            for imported in record.names:
                resolution = index.resolve_module(imported.name)
                if resolution.kind == "missing":
                    yield _finding(context, record, resolution, imported.span, [])


def _finding(context: CheckContext, record: ImportRecord, resolution: Resolution, span, names: list[str]) -> Finding:
    index = context.index
    module = resolution.name
    first_party = resolution.first_party or bool(record.level)
    suggestions: list[str] = []
    intents: list = []
    if resolution.case_hint is not None:
        hint = resolution.case_hint
        shown = hint.name
        fixed_part = hint.stem if hint.suffix in (".py", ".pyi") else hint.name
        suggestions.append(
            f"case mismatch: the file is '{shown}' ({context.shown(hint)}); this imports on macOS and Windows but fails on Linux and in CI"
        )
        fixed = _replace_last_missing(module, resolution.missing_part or "", fixed_part)
        if record.is_from and record.module_span is not None and not record.level:
            intents.append(ReplaceText(kind="replace", title=f"Import from {fixed} (match the file's case)",
                                       preferred=True, path=context.path, span=record.module_span, new_text=fixed))
        first_party = first_party or index.is_first_party_path(hint)
    # where do the imported names live now? (only first-party modules move inside the project)
    homes: dict[str, list[str]] = {}
    for name in names if first_party else ():
        modules = [m for m in index.defined_in(name) if m != module]
        if modules:
            homes[name] = modules
    common = None
    if names and len(homes) == len(names):
        sets = [set(v) for v in homes.values()]
        shared = set.intersection(*sets)
        if shared:
            common = sorted(shared, key=lambda m: (_distance(m, module), m))[0]
    for name, modules in homes.items():
        suggestions.append(f"{name} is defined in {', '.join(modules[:3])}")
    if common is not None and record.is_from and record.module_span is not None:
        intents.append(ReplaceText(kind="replace", title=f"Import from {common} instead", preferred=not intents,
                                   path=context.path, span=record.module_span, new_text=common))
    # close module names: a looser match inside the project, a strict one for modules that are not first-party
    candidates = _sibling_modules(index, resolution)
    for match in close_matches(module, candidates, limit=2, cutoff=0.6 if first_party else 0.85):
        if any(getattr(i, "new_text", None) == match for i in intents):
            continue
        suggestions.append(f"did you mean '{match}'?")
        if record.is_from and record.module_span is not None and not record.level:
            intents.append(ReplaceText(kind="replace", title=f"Import from {match}", path=context.path,
                                       span=record.module_span, new_text=match))
    if first_party:
        severity = Severity.ERROR
        where = f" ('{resolution.missing_part}' not found in {resolution.found_prefix})" if resolution.found_prefix else ""
        message = f"Cannot resolve module '{module}'{where}"
    else:
        env = index.environment
        if env.problem:
            severity = Severity.INFORMATION
            message = f"Cannot resolve module '{module}' (the target interpreter is unavailable: {env.problem})"
        elif not record.level and index.beside(context.path, module) is not None:
            # `import _common` next to `_common.py`: works when the file runs as a script (its directory
            # is then sys.path[0]), not when it is imported from the project
            severity = Severity.INFORMATION
            message = (f"Module '{module}' resolves only from this file's directory: it imports when the "
                       "file runs as a script, not when it is imported")
        elif record.type_checking:  # never imported at run time: the type checker's environment may have it
            severity = Severity.INFORMATION
            message = (f"Module '{module}' is not installed in {env.python} (imported only for type "
                       "checkers, under `if TYPE_CHECKING:`)")
        else:
            severity = Severity.WARNING
            message = f"Module '{module}' is not installed in {env.python}"
    severity = guarded_severity(record, severity)
    if record.guard:
        message += " (guarded: the import may be optional)"
    return Finding(path=context.path, span=span, rule=RULE, severity=severity, message=message,
                   suggestions=tuple(suggestions), intents=tuple(intents))


def _replace_last_missing(module: str, missing: str, fixed: str) -> str:
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part == missing:
            parts[i] = fixed
            break
    return ".".join(parts)


def _distance(a: str, b: str) -> int:
    pa, pb = a.split("."), b.split(".")
    common = 0
    for x, y in zip(pa, pb):
        if x != y:
            break
        common += 1
    return len(pa) + len(pb) - 2 * common


def _sibling_modules(index, resolution: Resolution) -> list[str]:
    names = index.all_module_names()
    if resolution.found_prefix:
        prefix = resolution.found_prefix + "."
        depth = resolution.name.count(".")
        return [n for n in names if n.startswith(prefix) and n.count(".") == depth]
    return sorted({n.split(".", 1)[0] for n in names} | {n for n in names if "." not in n})
