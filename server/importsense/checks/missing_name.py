"""missing-name: `from M import N` where M resolves but binds no N (nor a submodule, star export or __getattr__).

Quiet when M's namespace is open (module `__getattr__`, `globals()` writes, `sys.modules` tricks) or a
star import cannot be followed. When M itself is broken (does not parse, or its own import of N
fails) this file only gets an information finding pointing at the root.
"""

from __future__ import annotations

from typing import Iterator

from ..model import AddAlias, Finding, ImportFromElsewhere, ReplaceText, Severity
from .context import CheckContext, guarded_severity
from .suggestions import close_matches, same_kind

RULE = "missing-name"


def check(context: CheckContext) -> Iterator[Finding]:
    index = context.index
    for record in context.summary.imports:
        if not record.is_from:
            continue
        module = context.absolute_from(record)
        if module is None or module == "__future__":
            continue
        resolution = index.resolve_module(module)
        if not resolution.found or not (resolution.first_party or resolution.stdlib):
            continue
        if record.type_checking and not resolution.first_party:
            continue  # type checkers read typeshed stubs, which name more than the runtime module binds
        for imported in record.names:
            if imported.name == "*":
                continue
            symbol = index.lookup(module, imported.name)
            if symbol.kind == "broken" and symbol.root is not None:
                root_path, root_span, root_message = symbol.root
                yield Finding(
                    path=context.path, span=imported.span, rule=RULE, severity=Severity.INFORMATION,
                    message=f"imports {imported.name} from {module}, which fails: see "
                            f"{context.shown(root_path)}:{root_span.start_line} ({root_message})",
                    related=((root_path, root_span, root_message),), cascade=True,
                )
                continue
            if symbol.kind != "missing":
                continue
            yield _missing(context, record, module, resolution, imported)


def _missing(context: CheckContext, record, module: str, resolution, imported) -> Finding:
    index = context.index
    name = imported.name
    suggestions: list[str] = []
    intents: list = []
    available = [n for n in index.names_in_module(module) if not n.startswith("__")]
    matches = close_matches(name, available)
    for match in matches:
        suggestions.append(f"did you mean '{match}'?")
        new_text = match if imported.asname else f"{match} as {name}"
        intents.append(ReplaceText(kind="replace", title=f"Replace {name} with {match}", preferred=False,
                                   path=context.path, span=imported.span, new_text=new_text))
    homes = [m for m in index.defined_in(name) if m != module]
    for home in homes[:5]:
        suggestions.append(f"{name} is defined in {home}")
        intents.append(ImportFromElsewhere(kind="import-from-elsewhere", title=f"Import {name} from {home}",
                                           preferred=len(homes) == 1, path=context.path, span=record.span,
                                           name=name, new_module=home))
    if resolution.first_party and resolution.path is not None and resolution.kind in ("module", "package"):
        alias_targets = [m for m in matches if m in index.names_in_module(module) and _bound_in(index, module, m)]
        if not alias_targets:
            alias_targets = _defined_of_same_kind(index, module, name)
            if alias_targets and not homes:
                suggestions.append(f"if it was renamed: {module} defines {', '.join(alias_targets)}")
        for target in alias_targets[:3]:
            intents.append(AddAlias(kind="add-alias", title=f"Add compatibility alias `{name} = {target}` to {module}",
                                    target_path=resolution.path, alias=name, target_expr=target, after_name=target))
    if intents and not any(i.preferred for i in intents) and len(matches) == 1 and not homes:
        first = intents[0]
        intents[0] = type(first)(**{**first.__dict__, "preferred": True})
    severity = guarded_severity(record, Severity.ERROR)
    return Finding(
        path=context.path, span=imported.span, rule=RULE, severity=severity,
        message=f"cannot import name '{name}' from '{module}' ({context.shown(resolution.path)})",
        suggestions=tuple(suggestions), intents=tuple(intents),
    )


def _bound_in(index, module: str, name: str) -> bool:
    _, summary = index.module_summary(module)
    return summary is not None and name in summary.bound


def _defined_of_same_kind(index, module: str, name: str) -> list[str]:
    """For a renamed name with no close spelling: the module's own public definitions of the same kind."""
    _, summary = index.module_summary(module)
    if summary is None:
        return []
    wanted_class = name[:1].isupper()
    candidates = [
        n for n in summary.defined
        if not n.startswith("_") and same_kind(name, n) and ((n in summary.classes) == wanted_class)
    ]
    return sorted(candidates, key=lambda n: summary.defined[n])[:3] if len(candidates) <= 6 else []
