"""missing-attribute: `m.attr` on a module, `C.attr` / `C().attr` / `x = C(); x.attr` on a first-party class, that does not exist.

Only where the answer is certain: the root is a module-level import or class (not shadowed), the class's
whole MRO is first-party and known, and nothing (`__getattr__`, metaclass, unknown decorator or base,
`setattr`) can add attributes. Reads under `try/except AttributeError` or `hasattr` checks are skipped.
"""

from __future__ import annotations

from typing import Iterator

from ..model import AddAlias, CreateMethod, Finding, ReplaceText, Severity
from ..project.index import Symbol
from .context import CheckContext
from .suggestions import close_matches

RULE = "missing-attribute"


def check(context: CheckContext) -> Iterator[Finding]:
    if context.summary.syntax_error is not None:
        return
    index = context.index
    module = context.module or "__main__"
    seen: set[tuple[int, int]] = set()
    for use in context.summary.attribute_uses:
        symbol = index.resolve_dotted_in(module, context.path, list(use.root), summary=context.summary)
        if use.instance and symbol.kind != "class":
            continue
        for attr, span in zip(use.attrs, use.spans):
            if symbol.kind not in ("module", "class") or attr.startswith("__"):
                break
            if symbol.kind == "module" and not _certain_module(symbol):
                break
            if symbol.kind == "class" and not (symbol.path is not None and index.is_first_party_path(symbol.path)):
                break  # only first-party classes: the standard library swaps in C versions at run time
            following = index.attribute_of(symbol, attr)
            if following.kind == "missing":
                key = (span.start_line, span.start_column)
                if key not in seen:
                    seen.add(key)
                    yield _finding(context, symbol, attr, span, use.instance)
                break
            symbol = following


def _certain_module(symbol: Symbol) -> bool:
    resolution = symbol.resolution
    return resolution is not None and (resolution.first_party or resolution.stdlib) and resolution.kind in (
        "module", "package")


def _finding(context: CheckContext, owner: Symbol, attr: str, span, instance: bool) -> Finding:
    index = context.index
    suggestions: list[str] = []
    intents: list = []
    if owner.kind == "class" and owner.class_info is not None:
        info = owner.class_info
        members = index.class_members(owner).names
        what = f"{'instance of ' if instance else ''}class '{info.qualname}' ({owner.module})"
        for match in close_matches(attr, [m for m in members if not m.startswith("__")]):
            suggestions.append(f"did you mean '{match}'?")
            intents.append(ReplaceText(kind="replace", title=f"Replace {attr} with {match}", path=context.path,
                                       span=span, new_text=match))
        if owner.path is not None and index.is_first_party_path(owner.path):
            intents.append(CreateMethod(kind="create-method", title=f"Create method `{attr}` in {info.qualname}",
                                        target_path=owner.path, class_name=info.qualname, method_name=attr))
    else:
        what = f"module '{owner.module}'"
        available = [n for n in index.names_in_module(owner.module) if not n.startswith("__")]
        matches = close_matches(attr, available)
        for match in matches:
            suggestions.append(f"did you mean '{match}'?")
            intents.append(ReplaceText(kind="replace", title=f"Replace {attr} with {match}", path=context.path,
                                       span=span, new_text=match))
        homes = [m for m in index.defined_in(attr) if m != owner.module]
        for home in homes[:3]:
            suggestions.append(f"{attr} is defined in {home}")
        resolution = owner.resolution
        if resolution is not None and resolution.first_party and resolution.path is not None:
            for match in matches[:1]:
                intents.append(AddAlias(kind="add-alias",
                                        title=f"Add compatibility alias `{attr} = {match}` to {owner.module}",
                                        target_path=resolution.path, alias=attr, target_expr=match,
                                        after_name=match))
    if intents and len(suggestions) == 1 and isinstance(intents[0], ReplaceText):
        first = intents[0]
        intents[0] = ReplaceText(**{**first.__dict__, "preferred": True})
    return Finding(path=context.path, span=span, rule=RULE, severity=Severity.ERROR,
                   message=f"{what} has no attribute '{attr}'", suggestions=tuple(suggestions),
                   intents=tuple(intents))
