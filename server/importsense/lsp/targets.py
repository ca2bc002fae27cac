"""What an import names at a cursor position, and where the index says it resolves (for hover and definition)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..engine import Project
from ..model import Span
from ..project.index import Resolution, Symbol
from ..project.summary import FileSummary, ImportRecord


@dataclass(frozen=True)
class ImportTarget:
    """The module (and maybe a name in it) an import statement names at a position."""

    module: str | None  # absolute dotted module; None when a relative import climbs above the top
    name: str | None  # `from module import name`: the name under the cursor
    span: Span  # the text the target was read from
    written: str  # as written (relative dots included)


def _contains(span: Span, line: int, column: int) -> bool:
    return (span.start_line, span.start_column) <= (line, column) <= (span.end_line, span.end_column)


def target_at(summary: FileSummary, project: Project, path: Path, line: int, column: int) -> ImportTarget | None:
    """The import target at a 1-based line and code-point column, or None when not on an import."""
    for record in summary.imports:
        if not _contains(record.span, line, column):
            continue
        if record.is_from:
            return _from_target(record, project, path, line, column)
        for imported in record.names:
            if _contains(imported.span, line, column):
                dotted = imported.name
                if imported.span.start_line == imported.span.end_line == line:
                    # `import a.b.c` with the cursor on b: the target is a.b
                    offset = column - imported.span.start_column
                    end = dotted.find(".", max(offset, 0))
                    if 0 <= offset <= len(dotted) and end != -1:
                        dotted = dotted[:end]
                return ImportTarget(dotted, None, imported.span, imported.name)
        return None
    return None


def _from_target(record: ImportRecord, project: Project, path: Path, line: int, column: int) -> ImportTarget:
    module = project.index.absolute_module(path, record.level, record.module) if record.level else record.module
    written = "." * record.level + record.module
    for imported in record.names:
        if imported.name != "*" and _contains(imported.span, line, column):
            return ImportTarget(module, imported.name, imported.span, written)
    return ImportTarget(module, None, record.module_span or record.span, written)


@dataclass(frozen=True)
class Destination:
    """Where a target leads: a file and a 1-based line (1 for modules), or why it leads nowhere."""

    path: Path | None
    line: int
    description: str  # markdown for hover
    found: bool


def describe(target: ImportTarget, project: Project) -> Destination:
    index = project.index
    root = project.root
    if target.module is None:
        return Destination(None, 1, f"`{target.written}`: **not found** — the relative import climbs above the "
                                    "top-level package", False)
    if target.name is not None:
        submodule = index.resolve_module(f"{target.module}.{target.name}")
        if submodule.found:
            return _module(submodule, root)
        module_resolution = index.resolve_module(target.module)
        if not module_resolution.found:
            return _module(module_resolution, root)
        symbol = index.lookup(target.module, target.name)
        return _symbol(target, symbol, module_resolution, project)
    return _module(index.resolve_module(target.module), root)


def _display(path: Path | None, root: Path) -> str:
    if path is None:
        return "?"
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


_KINDS = {
    "module": "module", "package": "package", "namespace": "namespace package", "stub": "stub",
    "extension": "extension module", "builtin": "built-in module",
}


def _module(resolution: Resolution, root: Path) -> Destination:
    name = resolution.name
    if resolution.found:
        origin = "first-party" if resolution.first_party else "standard library" if resolution.stdlib else "installed"
        kind = _KINDS.get(resolution.kind, resolution.kind)
        where = _display(resolution.path, root) if resolution.path is not None else ", ".join(
            _display(p, root) for p in resolution.locations) or "built into the interpreter"
        return Destination(resolution.path if resolution.path and resolution.path.is_file() else None, 1,
                           f"`{name}` → `{where}` ({origin} {kind})", True)
    if resolution.kind == "unknown":
        return Destination(None, 1, f"`{name}`: cannot be known statically (inside a module that is not a package, "
                                    "or an extension)", False)
    why = f"no module named `{resolution.missing_part}`"
    if resolution.found_prefix:
        why += f" in `{resolution.found_prefix}`"
    else:
        why += " on the source roots or the target interpreter's sys.path"
    if resolution.case_hint is not None:
        why += f"; `{_display(resolution.case_hint, root)}` differs only in letter case"
    return Destination(None, 1, f"`{name}`: **not found** — {why}", False)


def _symbol(target: ImportTarget, symbol: Symbol, module: Resolution, project: Project) -> Destination:
    root = project.root
    label = f"`{target.name}` from `{target.module}`"
    if symbol.kind in ("class", "value", "module") and symbol.path is not None:
        line = 1
        if symbol.kind == "class" and symbol.class_info is not None:
            line = symbol.class_info.line
        elif symbol.kind == "value":
            summary = project.index.summary(symbol.path)
            if summary is not None:
                line = summary.bound.get(target.name, 1)
        return Destination(symbol.path, line, f"{label} → `{_display(symbol.path, root)}:{line}` ({symbol.kind})", True)
    if symbol.kind == "missing":
        return Destination(None, 1, f"{label}: **not found** — `{_display(module.path, root)}` does not define it", False)
    if symbol.kind == "broken" and symbol.root is not None:
        where, span, message = symbol.root
        return Destination(where, span.start_line, f"{label}: **fails** — {message} "
                                                   f"(`{_display(where, root)}:{span.start_line}`)", False)
    return Destination(module.path if module.path and module.path.is_file() else None, 1,
                       f"{label}: in `{_display(module.path, root)}` (cannot be checked statically)", True)
