"""invalid-patch-target: `mock.patch("a.b.C.meth")`, `monkeypatch.setattr("a.b.c", v)`, `patch.object(C, "m")` naming nothing.

The target is walked the way mock imports it: the first component as a module, then attribute by
attribute, importing submodules where an attribute is missing. Quiet on `create=True`,
`raising=False`, third-party roots and anything whose attributes cannot be known.
"""

from __future__ import annotations

from typing import Iterator

from ..model import Finding, ReplaceText, Severity, Span
from ..project.index import Symbol
from ..project.summary import PatchTarget
from .context import CheckContext
from .suggestions import close_matches

RULE = "invalid-patch-target"


def check(context: CheckContext) -> Iterator[Finding]:
    for target in context.summary.patch_targets:
        if target.create:
            continue
        if target.kind == "object":
            finding = _check_object(context, target)
        else:
            finding = _check_dotted(context, target)
        if finding is not None:
            yield finding


def _check_object(context: CheckContext, target: PatchTarget) -> Finding | None:
    index = context.index
    assert target.object_root is not None
    owner = index.resolve_dotted_in(context.module or "__main__", context.path, list(target.object_root),
                                    summary=context.summary)
    if owner.kind not in ("class", "module") or target.target.startswith("__"):
        return None
    if owner.kind == "module" and not (owner.resolution and owner.resolution.first_party):
        return None
    found = index.attribute_of(owner, target.target)
    if found.kind != "missing":
        return None
    shown = ".".join(target.object_root)
    candidates = _names_of(context, owner)
    suggestions, intents = [], []
    for match in close_matches(target.target, candidates):
        suggestions.append(f"did you mean '{match}'?")
        intents.append(_rewrite(context, target, match))
    return Finding(path=context.path, span=target.span, rule=RULE, severity=Severity.ERROR,
                   message=f"patch.object target: {shown} has no attribute '{target.target}'",
                   suggestions=tuple(suggestions), intents=tuple(intents))


def _check_dotted(context: CheckContext, target: PatchTarget) -> Finding | None:
    index = context.index
    parts = target.target.split(".")
    if len(parts) < 2 or not all(p.isidentifier() for p in parts):
        return None
    top = index.resolve_module(parts[0])
    if not top.found:
        if top.kind == "missing" and top.first_party:
            return _report(context, target, 0, f"module '{parts[0]}' cannot be resolved", [])
        return None
    if not top.first_party:
        return None  # third-party and stdlib targets: their attributes are not ours to judge
    symbol = Symbol("module", parts[0], top.path, resolution=top)
    for position in range(1, len(parts)):
        attr = parts[position]
        if symbol.kind == "module":
            following = index.lookup_module_attribute(symbol.module, attr)
        elif symbol.kind == "class":
            following = index.attribute_of(symbol, attr)
        else:
            return None
        if following.kind == "missing":
            owner = ".".join(parts[:position])
            kind = "module" if symbol.kind == "module" else "class"
            return _report(context, target, position, f"{kind} '{owner}' has no attribute '{attr}'",
                           _names_of(context, symbol))
        if following.kind in ("unknown", "broken"):
            return None
        symbol = following
    return None


def _report(context: CheckContext, target: PatchTarget, position: int, reason: str,
            candidates: list[str]) -> Finding:
    index = context.index
    parts = target.target.split(".")
    missing = parts[position]
    suggestions: list[str] = []
    intents: list = []
    for match in close_matches(missing, [c for c in candidates if not c.startswith("__")]):
        fixed = ".".join(parts[:position] + [match] + parts[position + 1:])
        suggestions.append(f"did you mean '{fixed}'?")
        intents.append(_rewrite(context, target, fixed))
    # the name moved: the module that now defines it
    for home in index.defined_in(missing)[:3]:
        fixed = ".".join([home, missing] + parts[position + 1:])
        if fixed != target.target and _target_exists(context, fixed):
            suggestions.append(f"{missing} is defined in {home}: '{fixed}'")
            intents.append(_rewrite(context, target, fixed))
    if len(intents) == 1:
        intents[0] = ReplaceText(**{**intents[0].__dict__, "preferred": True})
    return Finding(path=context.path, span=target.span, rule=RULE, severity=Severity.ERROR,
                   message=f"patch target '{target.target}' does not exist: {reason}",
                   suggestions=tuple(suggestions), intents=tuple(intents))


def _target_exists(context: CheckContext, dotted: str) -> bool:
    probe = PatchTarget("patch", dotted, Span(1, 1, 1, 1))
    return _check_dotted(context, probe) is None


def _rewrite(context: CheckContext, target: PatchTarget, new_target: str) -> ReplaceText:
    quote = target.quote or '"'
    closing = quote.lstrip("rRuUbBfF")
    return ReplaceText(kind="replace", title=f"Patch '{new_target}' instead", path=context.path, span=target.span,
                       new_text=f"{quote}{new_target}{closing}")


def _names_of(context: CheckContext, symbol: Symbol) -> list[str]:
    index = context.index
    if symbol.kind == "module":
        return sorted(index.names_in_module(symbol.module))
    if symbol.kind == "class":
        return sorted(index.class_members(symbol).names)
    return []
