"""FileSummary <-> nested tuples of plain values, so the cache loads with marshal and workers ship summaries cheaply."""

from __future__ import annotations

from typing import Any

from ..model import Span
from .summary import (
    AttributeUse, ClassInfo, FileSummary, ImportedName, ImportRecord, PatchTarget, SyntaxErrorInfo,
)

VERSION = 2


def _span(span: Span | None) -> tuple[int, int, int, int] | None:
    return None if span is None else (span.start_line, span.start_column, span.end_line, span.end_column)


def _unspan(data: Any) -> Span | None:
    return None if data is None else Span(*data)


def encode_summary(summary: FileSummary) -> tuple:
    error = summary.syntax_error
    return (
        VERSION,
        summary.bound,
        summary.defined,
        summary.reexports,
        summary.module_aliases,
        summary.all_names,
        summary.all_dynamic,
        tuple(summary.star_imports),
        summary.has_getattr,
        summary.open_namespace,
        tuple(
            (r.is_from, r.module, r.level, tuple((n.name, n.asname, _span(n.span)) for n in r.names), _span(r.span),
             _span(r.module_span), r.guard, r.scope, r.type_checking)
            for r in summary.imports
        ),
        {
            qualname: (c.name, c.line, c.end_line, tuple(c.members), c.bases, c.dynamic, c.decorators)
            for qualname, c in summary.classes.items()
        },
        tuple((u.root, u.attrs, tuple(_span(s) for s in u.spans), u.instance, u.root_name)
              for u in summary.attribute_uses),
        tuple((t.kind, t.target, _span(t.span), t.object_root, t.create, t.quote) for t in summary.patch_targets),
        None if error is None else (error.line, error.column, error.message),
        summary.line_count,
        summary.import_hooks,
    )


def decode_summary(data: tuple) -> FileSummary:
    (version, bound, defined, reexports, module_aliases, all_names, all_dynamic, star_imports, has_getattr,
     open_namespace, imports, classes, uses, patches, error, line_count, import_hooks) = data
    if version != VERSION:
        raise ValueError("summary codec version mismatch")
    return FileSummary(
        bound=dict(bound),
        defined=dict(defined),
        reexports={k: tuple(v) for k, v in reexports.items()},
        module_aliases=dict(module_aliases),
        all_names=None if all_names is None else tuple(all_names),
        all_dynamic=all_dynamic,
        star_imports=tuple(tuple(s) for s in star_imports),
        has_getattr=has_getattr,
        open_namespace=open_namespace,
        imports=tuple(
            ImportRecord(is_from, module, level,
                         tuple(ImportedName(n, a, _unspan(s)) for n, a, s in names),
                         _unspan(span), _unspan(module_span), guard, scope, type_checking)
            for is_from, module, level, names, span, module_span, guard, scope, type_checking in imports
        ),
        classes={
            qualname: ClassInfo(name, qualname, line, end_line, frozenset(members), tuple(bases), dynamic,
                                tuple(decorators))
            for qualname, (name, line, end_line, members, bases, dynamic, decorators) in classes.items()
        },
        attribute_uses=tuple(
            AttributeUse(tuple(root), tuple(attrs), tuple(_unspan(s) for s in spans), instance, root_name)
            for root, attrs, spans, instance, root_name in uses
        ),
        patch_targets=tuple(
            PatchTarget(kind, target, _unspan(span), None if obj is None else tuple(obj), create, quote)
            for kind, target, span, obj, create, quote in patches
        ),
        syntax_error=None if error is None else SyntaxErrorInfo(*error),
        line_count=line_count,
        import_hooks=import_hooks,
    )
