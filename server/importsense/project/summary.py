"""One source text -> FileSummary: bound names, imports, `__all__`, star imports, classes, attribute uses, patch targets.

Built from `ast` only; nothing is imported or executed. The walk is gated: expressions are only
visited inside statements whose lines mention a name we care about, which keeps summarising close
to the cost of `ast.parse` itself.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
import sys
import warnings
from dataclasses import dataclass, field, replace
from typing import Iterable

from ..model import Span
from .positions import LineTable

IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
ATTRIBUTE_ERRORS = {"AttributeError", "Exception", "BaseException"}
# Class decorators known not to add attributes beyond what the class body declares.
QUIET_CLASS_DECORATORS = {
    "dataclass", "dataclasses.dataclass", "total_ordering", "functools.total_ordering",
    "final", "typing.final", "unique", "enum.unique", "runtime_checkable", "typing.runtime_checkable",
    "dataclass_transform", "typing.dataclass_transform",
    "attr.s", "attr.attrs", "attrs.define", "attr.define", "define", "attrs.frozen", "attr.frozen",
    "frozen", "attrs.mutable", "attr.mutable",
}
PATCH_FUNCTIONS = {"patch", "mock.patch", "unittest.mock.patch", "mocker.patch", "mock.mock.patch"}
PATCH_OBJECT_FUNCTIONS = {
    "patch.object", "mock.patch.object", "unittest.mock.patch.object", "mocker.patch.object",
}
SETATTR_FUNCTIONS = {"monkeypatch.setattr", "monkeypatch.delattr"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PATCH_WORDS = re.compile(r"patch|setattr|delattr")
_CALL_THEN_ATTRIBUTE = re.compile(r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\s*\.")  # (...) then a dot


@dataclass(slots=True)
class ImportedName:
    """One name in an import statement: `name as asname`, with the span of `name`."""

    name: str
    asname: str | None
    span: Span


@dataclass(slots=True)
class ImportRecord:
    """One `import` or `from ... import` statement."""

    is_from: bool
    module: str  # `from` only: the dotted text after the dots ('' for `from . import x`)
    level: int
    names: tuple[ImportedName, ...]
    span: Span  # the whole statement
    module_span: Span | None  # `from` only: the dots and dotted name
    guard: str = ""  # '' | 'import-error' (try/except ImportError) | 'condition' (version/platform checks)
    scope: str = "module"  # 'module' | 'function' | 'class'
    type_checking: bool = False


@dataclass(slots=True)
class ClassInfo:
    """What a class statement declares."""

    name: str
    qualname: str
    line: int
    end_line: int
    members: frozenset[str]
    bases: tuple[str | None, ...]  # dotted text of each base; None when not a plain dotted expression
    dynamic: bool  # __getattr__, metaclass, unknown decorator, setattr(self, ...): attributes unknowable
    decorators: tuple[str, ...] = ()


@dataclass(slots=True)
class AttributeUse:
    """`root.a.b` read somewhere in the file, where root is a module-level import/class or an instance of one."""

    root: tuple[str, ...]  # dotted name the chain starts from (module-level binding), e.g. ('C',)
    attrs: tuple[str, ...]
    spans: tuple[Span, ...]  # span of each attribute name
    instance: bool  # root is `C(...)`: look up instance attributes
    root_name: str = ""  # the name written in the source (the local for instances)


@dataclass(slots=True)
class PatchTarget:
    """A dotted target string given to mock.patch / monkeypatch.setattr, or patch.object(obj, 'name')."""

    kind: str  # 'patch' | 'setattr' | 'object'
    target: str
    span: Span  # the string literal, quotes included
    object_root: tuple[str, ...] | None = None  # patch.object: dotted text of the object
    create: bool = False
    quote: str = '"'  # the literal's opening (prefix and quote), to rewrite it in the same style


@dataclass(slots=True)
class SyntaxErrorInfo:
    line: int
    column: int
    message: str


@dataclass(slots=True)
class FileSummary:
    """Everything the checks need to know about one file."""

    bound: dict[str, int] = field(default_factory=dict)  # module-level name -> line of first binding
    defined: dict[str, int] = field(default_factory=dict)  # bound by def/class/assignment (not import)
    reexports: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # name -> (module, level, original)
    module_aliases: dict[str, str] = field(default_factory=dict)  # name -> dotted module (`import a.b as m`)
    all_names: tuple[str, ...] | None = None
    all_dynamic: bool = False
    star_imports: tuple[tuple[str, int, int], ...] = ()  # (module, level, line)
    has_getattr: bool = False
    open_namespace: bool = False
    imports: tuple[ImportRecord, ...] = ()
    classes: dict[str, ClassInfo] = field(default_factory=dict)  # by qualname
    attribute_uses: tuple[AttributeUse, ...] = ()
    patch_targets: tuple[PatchTarget, ...] = ()
    syntax_error: SyntaxErrorInfo | None = None
    line_count: int = 0
    import_hooks: bool = False  # installs importers (sys.meta_path, sys.modules[...] = ...): submodules may be virtual
    interface_only: bool = False  # attribute uses and patch targets not collected: good for lookups, not for checking it


def summarize_source(text: str, filename: str = "<unknown>", uses: bool = True) -> FileSummary:
    """Summarise one module's source text; a text that does not parse gives a summary with `syntax_error`.

    `uses=False` skips the second pass (attribute uses, patch targets): about half the work, and all
    another file's check needs from this one (its names, classes, imports).
    """
    line_count = text.count("\n") + 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=filename)
    except SyntaxError as error:
        line = error.lineno or 1
        column = error.offset or 1
        message = error.msg or "invalid syntax"
        return FileSummary(syntax_error=SyntaxErrorInfo(line, max(column, 1), message), line_count=line_count)
    except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, absurd nesting
        return FileSummary(
            syntax_error=SyntaxErrorInfo(1, 1, f"cannot parse: {type(error).__name__}: {error}"),
            line_count=line_count,
        )
    try:
        summary = _Summarizer(text).run(tree, uses)
    except RecursionError:
        return FileSummary(syntax_error=SyntaxErrorInfo(1, 1, "expression nesting too deep to analyse"),
                           line_count=line_count)
    summary.line_count = line_count
    return summary


def dotted_name(node: ast.AST) -> str | None:
    """'a.b.c' for Name/Attribute chains, None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


_DYNAMIC_WRITES = re.compile(r"setattr\s*\(|__dict__|\bvars\s*\(")
_RECEIVER_PATTERNS: dict[str, re.Pattern[str]] = {}
_CTOR_ASSIGN = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*=\s*([A-Za-z_][\w.]*)\s*\(")
_CTOR_VALUE = re.compile(r"=\s*[A-Za-z_][\w.]*\s*\(")  # the part after the name: starts with a literal, so fast
_OPENING_TEXT = re.compile(
    r"=\s*globals\(\)|globals\(\)\s*(?:\[[^\]\n]*\]\s*=[^=]|\.update|\.setdefault|\.__setitem__)"
    r"|sys\.modules\[[^\]\n]*\]\.__dict__|@(?:enum\.)?global_enum|\._convert_?\(|\bvars\(\)\s*\["
)
_OPENING_WORDS = ("globals()", "sys.modules", "global_enum", "_convert", "vars()")  # each match of _OPENING_TEXT holds one
_IMPORT_HOOKS = re.compile(r"sys\.meta_path|sys\.path_hooks|sys\.modules\[[^\]\n]+\]\s*=[^=]|sys\.modules\.setdefault")
_OPEN_WORDS = ("globals", "exec", "setattr", "locals", "vars")
_STRING_OPENING = re.compile(r"[rRuUbBfF]{0,2}(\"\"\"|\'\'\'|\"|\')")
_FROM_MODULE = re.compile(r"from\s+((?:\.\s*)*[\w.]*)")


UNKNOWN_MEMBERS = "*"  # in class_stores: something at module level may add attributes to the class
PURE_BUILTINS = frozenset({"print", "isinstance", "issubclass", "len", "repr", "str", "id", "hash", "callable",
                           "hasattr", "getattr", "type", "dir", "sorted", "list", "tuple", "iter"})


EVERY_CLASS = ""  # in class_stores: attribute names the module stores through any object
_ATTRIBUTE_STORE = re.compile(r"\.([A-Za-z_]\w*)[ \t]*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)")


def apply_class_stores(classes: dict[str, ClassInfo], stores: dict[str, set[str]]) -> None:
    """Give the module's classes what its statements store on them (see with_class_stores), and every
    attribute name the module stores through any object (`info.call_refs = refs` in a helper given the
    instance, regex): an instance can gain those, so they are never reported missing."""
    for class_name, attributes in stores.items():
        info = classes.get(class_name)
        if info is not None and class_name != EVERY_CLASS:
            classes[class_name] = with_class_stores(info, attributes)
    everywhere = frozenset(stores.get(EVERY_CLASS, ()))
    if everywhere:
        for qualname, info in list(classes.items()):
            if not everywhere <= info.members:
                classes[qualname] = replace(info, members=info.members | everywhere)


def handed_names(class_stores: dict[str, set[str]]) -> set[str]:
    """Names handed to a module-level call (`setattr(OP, op, i)` on `OP = Namespace()`, regex): what
    their attributes are is not ours to know, so reads through them are not judged."""
    return {name for name, attributes in class_stores.items() if UNKNOWN_MEMBERS in attributes}


def with_class_stores(info: ClassInfo, attributes: set[str]) -> ClassInfo:
    """`info` plus what module-level statements store on the class (`Klass.attr = ...`), and dynamic when
    a module-level call was handed the class (UNKNOWN_MEMBERS)."""
    stored = frozenset(attributes) - {UNKNOWN_MEMBERS}
    return replace(info, members=info.members | stored, dynamic=info.dynamic or UNKNOWN_MEMBERS in attributes)


def judged_uses(uses: Iterable[AttributeUse], stored: set[tuple[str, str]] | frozenset[tuple[str, str]],
                opened: set[str]) -> tuple[AttributeUse, ...]:
    """The attribute reads a check judges: not `x.attr` where the file stores `x.attr` somewhere, not
    through a name handed to a module-level call (handed_names)."""
    if not stored and not opened:
        return tuple(uses)
    return tuple(use for use in uses
                 if (use.root_name, use.attrs[0]) not in stored and use.root_name not in opened)


class _Summarizer:
    """Two passes over one tree: statements (bindings, imports, classes), then gated expressions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.table = LineTable(text)
        self.summary = FileSummary()
        self.imports: list[ImportRecord] = []
        self.binding_kinds: dict[str, set[str]] = {}
        self.star: list[tuple[str, int, int]] = []
        self.uses: list[AttributeUse] = []
        self.patches: list[PatchTarget] = []
        self._line_starts: list[int] | None = None
        self.stored: set[tuple[str, str]] = set()
        self.ctor_lines: list[int] = []
        self.condition_names: set[str] = set()
        self.class_stores: dict[str, set[str]] = {}
        if "=" in text:
            stored_anywhere = set(_ATTRIBUTE_STORE.findall(text))
            if stored_anywhere:
                self.class_stores[EVERY_CLASS] = stored_anywhere
        self.maybe_open = any(word in text for word in _OPEN_WORDS)
        # substring tests first: the patterns have no literal prefix, so a search tries every position
        if ("meta_path" in text or "path_hooks" in text or "sys.modules" in text) and _IMPORT_HOOKS.search(text):
            self.summary.import_hooks = True
        if any(word in text for word in _OPENING_WORDS) and _OPENING_TEXT.search(text):
            # globals() aliased or written, sys.modules[...].__dict__ updates, enum.global_enum,
            # IntEnum._convert_: the module's names are written at run time in ways we cannot follow
            self.summary.open_namespace = True
        self.has_walrus = ":=" in text

    # ---- helpers -------------------------------------------------------
    def span(self, node: ast.AST) -> Span:
        line = node.lineno  # type: ignore[attr-defined]
        end_line = node.end_lineno or line  # type: ignore[attr-defined]
        return Span(
            line,
            self.table.column(line, node.col_offset),  # type: ignore[attr-defined]
            end_line,
            self.table.column(end_line, node.end_col_offset or 0),  # type: ignore[attr-defined]
        )

    def bind(self, name: str, line: int, kind: str) -> None:
        summary = self.summary
        if name not in summary.bound:
            summary.bound[name] = line
        if kind != "import" and name not in summary.defined:
            summary.defined[name] = line
        self.binding_kinds.setdefault(name, set()).add(kind)

    # ---- pass 1: statements -------------------------------------------
    def run(self, tree: ast.Module, uses: bool = True) -> FileSummary:
        self.module_statements(tree.body, guard="", type_checking=False)
        summary = self.summary
        summary.imports = tuple(self.imports)
        summary.star_imports = tuple(self.star)
        apply_class_stores(summary.classes, self.class_stores)
        if not uses:
            summary.interface_only = True
            return summary
        self.collect_uses(tree)
        summary.attribute_uses = judged_uses(self.uses, self.stored, handed_names(self.class_stores))
        summary.patch_targets = tuple(self.patches)
        return summary

    def module_statements(self, body: list[ast.stmt], guard: str, type_checking: bool) -> None:
        for stmt in body:
            self.module_statement(stmt, guard, type_checking)

    def module_statement(self, stmt: ast.stmt, guard: str, type_checking: bool) -> None:
        summary = self.summary
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.record_import(stmt, guard, "module", type_checking, bind=True)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.bind(stmt.name, stmt.lineno, "def")
            if stmt.name == "__getattr__":
                summary.has_getattr = True
            self.function_body(stmt, guard, type_checking)
        elif isinstance(stmt, ast.ClassDef):
            self.bind(stmt.name, stmt.lineno, "class")
            self.class_statement(stmt, stmt.name, guard, type_checking)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for name in _target_names(target):
                    self.bind(name, stmt.lineno, "assign")
                self.check_open_target(target)
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    # `Klass.attr = ...` after the class statement: the class gains that attribute
                    self.class_stores.setdefault(target.value.id, set()).add(target.attr)
            if stmt.value is not None and _mentions_environment(stmt.value):
                for target in targets:
                    self.condition_names.update(_target_names(target))
            self.record_all(stmt)
            if stmt.value is not None:
                self.scan_open_expression(stmt.value)
        elif isinstance(stmt, ast.If):
            test_guard, test_tc = _condition_kind(stmt.test, self.condition_names)
            inner_guard = guard or test_guard
            self.scan_walrus(stmt.test)
            self.module_statements(stmt.body, inner_guard, type_checking or test_tc)
            self.module_statements(stmt.orelse, inner_guard, type_checking)
        elif isinstance(stmt, ast.Try) or (sys.version_info >= (3, 11) and isinstance(stmt, ast.TryStar)):
            catches = _handler_names(stmt.handlers)
            body_guard = guard or ("import-error" if catches & IMPORT_ERRORS else "")
            self.module_statements(stmt.body, body_guard, type_checking)
            for handler in stmt.handlers:
                if handler.name:
                    self.bind(handler.name, handler.lineno, "assign")
                self.module_statements(handler.body, guard or "import-error", type_checking)
            self.module_statements(stmt.orelse, guard, type_checking)
            self.module_statements(stmt.finalbody, guard, type_checking)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            for name in _target_names(stmt.target):
                self.bind(name, stmt.lineno, "assign")
            self.module_statements(stmt.body, guard, type_checking)
            self.module_statements(stmt.orelse, guard, type_checking)
        elif isinstance(stmt, ast.While):
            self.module_statements(stmt.body, guard, type_checking)
            self.module_statements(stmt.orelse, guard, type_checking)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            suppress = any(_is_suppress_import_error(item.context_expr) for item in stmt.items)
            for item in stmt.items:
                if item.optional_vars is not None:
                    for name in _target_names(item.optional_vars):
                        self.bind(name, stmt.lineno, "assign")
            self.module_statements(stmt.body, guard or ("import-error" if suppress else ""), type_checking)
        elif isinstance(stmt, ast.Expr):
            self.scan_open_expression(stmt.value)
            self.record_all(stmt)
            self.note_classes_handed_to(stmt.value)
        elif sys.version_info >= (3, 10) and isinstance(stmt, ast.Match):
            for case in stmt.cases:
                for node in ast.walk(case.pattern):
                    name = getattr(node, "name", None)
                    if isinstance(name, str):
                        self.bind(name, stmt.lineno, "assign")
                self.module_statements(case.body, guard, type_checking)
        elif sys.version_info >= (3, 12) and isinstance(stmt, getattr(ast, "TypeAlias", ())):
            self.bind(stmt.name.id, stmt.lineno, "assign")  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Delete):
            pass  # a deleted name may still be bound on another path: stay quiet
        elif isinstance(stmt, ast.Global):
            for name in stmt.names:
                self.bind(name, stmt.lineno, "assign")

    def record_import(self, stmt: ast.Import | ast.ImportFrom, guard: str, scope: str,
                      type_checking: bool, bind: bool) -> None:
        names = tuple(
            ImportedName(alias.name, alias.asname, self.span(alias) if hasattr(alias, "lineno") else self.span(stmt))
            for alias in stmt.names
        )
        if isinstance(stmt, ast.ImportFrom):
            module = stmt.module or ""
            record = ImportRecord(True, module, stmt.level or 0, names, self.span(stmt),
                                  self.module_span(stmt), guard, scope, type_checking)
            if bind:
                for alias in stmt.names:
                    if alias.name == "*":
                        self.star.append((module, stmt.level or 0, stmt.lineno))
                        continue
                    local = alias.asname or alias.name
                    self.bind(local, stmt.lineno, "import")
                    self.summary.reexports.setdefault(local, (module, stmt.level or 0, alias.name))
        else:
            record = ImportRecord(False, "", 0, names, self.span(stmt), None, guard, scope, type_checking)
            if bind:
                for alias in stmt.names:
                    if alias.asname:
                        self.bind(alias.asname, stmt.lineno, "import")
                        self.summary.module_aliases.setdefault(alias.asname, alias.name)
                    else:
                        top = alias.name.split(".", 1)[0]
                        self.bind(top, stmt.lineno, "import")
                        self.summary.module_aliases.setdefault(top, top)
        self.imports.append(record)

    def module_span(self, stmt: ast.ImportFrom) -> Span | None:
        line = stmt.lineno
        line_text = self.line_text(line)
        start_byte_col = stmt.col_offset
        # work on the str line: find 'from' at or after the statement's start column
        char_col = self.table.column(line, start_byte_col) - 1
        match = _FROM_MODULE.match(line_text, char_col)
        if not match or not match.group(1).strip():
            return None
        start, end = match.span(1)
        return Span(line, start + 1, line, end + 1)

    def line_text(self, line: int) -> str:
        if self._line_starts is None:
            self._line_starts = line_starts(self.text)
        starts = self._line_starts
        if not 1 <= line <= len(starts):
            return ""
        begin = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.text)
        return self.text[begin:end].rstrip("\r\n")

    def function_body(self, func: ast.FunctionDef | ast.AsyncFunctionDef, guard: str, type_checking: bool) -> None:
        """Record imports inside functions (checked, not bound) and `global` names (bound)."""
        segment = self.segment(func.lineno, func.end_lineno or func.lineno)
        if "setattr" in segment:
            self.note_setattr_on_instances(func)
        if "import" not in segment and "global" not in segment:
            return  # nothing to find: most function bodies are skipped unwalked
        self.nested_block(func.body, guard, type_checking, "function")

    def note_setattr_on_instances(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """`style = Style()` then `setattr(style, role, f)` in one function (django's make_style): the
        class gets members nobody can list."""
        made: dict[str, str] = {}  # local name -> the class called to make it
        filled: set[str] = set()  # local names given to setattr
        for node in ast.walk(func):
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)):
                made[node.targets[0].id] = node.value.func.id
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr"
                    and node.args and isinstance(node.args[0], ast.Name)):
                filled.add(node.args[0].id)
        for name in filled & made.keys():
            self.class_stores.setdefault(made[name], set()).add(UNKNOWN_MEMBERS)

    def nested_block(self, body: list[ast.stmt], guard: str, type_checking: bool, scope: str) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.record_import(node, guard, scope, type_checking, bind=False)
            elif isinstance(node, ast.Global):
                for name in node.names:
                    self.bind(name, node.lineno, "assign")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.nested_block(node.body, guard, type_checking, "function")
            elif isinstance(node, ast.Try) or (sys.version_info >= (3, 11) and isinstance(node, ast.TryStar)):
                catches = _handler_names(node.handlers)
                self.nested_block(node.body, guard or ("import-error" if catches & IMPORT_ERRORS else ""),
                                  type_checking, scope)
                for handler in node.handlers:
                    self.nested_block(handler.body, guard or "import-error", type_checking, scope)
                self.nested_block(node.orelse, guard, type_checking, scope)
                self.nested_block(node.finalbody, guard, type_checking, scope)
            elif isinstance(node, ast.If):
                test_guard, test_tc = _condition_kind(node.test, self.condition_names)
                self.nested_block(node.body, guard or test_guard, type_checking or test_tc, scope)
                self.nested_block(node.orelse, guard or test_guard, type_checking, scope)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                suppress = any(_is_suppress_import_error(item.context_expr) for item in node.items)
                self.nested_block(node.body, guard or ("import-error" if suppress else ""), type_checking, scope)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                self.nested_block(node.body, guard, type_checking, scope)
                self.nested_block(node.orelse, guard, type_checking, scope)
            elif sys.version_info >= (3, 10) and isinstance(node, ast.Match):
                for case in node.cases:
                    self.nested_block(case.body, guard, type_checking, scope)

    def class_statement(self, cls: ast.ClassDef, qualname: str, guard: str, type_checking: bool) -> None:
        members: set[str] = set()
        dynamic = False
        for keyword in cls.keywords:
            if keyword.arg == "metaclass":
                dynamic = True
        decorators = tuple(dotted_name(_call_func(d)) or "?" for d in cls.decorator_list)
        if any(d not in QUIET_CLASS_DECORATORS for d in decorators):
            dynamic = True
        bases = tuple(dotted_name(_subscript_value(b)) for b in cls.bases)
        if any(isinstance(b, ast.Starred) for b in cls.bases):
            dynamic = True
        for stmt in _statements_in(cls.body, into_functions=False):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                members.add(stmt.name)
                if stmt.name in ("__getattr__", "__getattribute__"):
                    dynamic = True
                if self.method_writes_attributes(stmt, members):
                    dynamic = True
            elif isinstance(stmt, ast.ClassDef):
                members.add(stmt.name)
                self.class_statement(stmt, f"{qualname}.{stmt.name}", guard, type_checking)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    members.update(_target_names(target))
                    if isinstance(target, ast.Name) and target.id == "__slots__" and stmt.value is not None:
                        members.update(_string_items(stmt.value) or ())
                    if isinstance(target, ast.Name) and target.id == "__dict__":
                        dynamic = True
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    members.add((alias.asname or alias.name).split(".", 1)[0])
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                members.update(_target_names(stmt.target))
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        members.update(_target_names(item.optional_vars))
            elif isinstance(stmt, ast.Expr) and _mentions_locals_write(stmt.value):
                dynamic = True
        self.nested_block(cls.body, guard, type_checking, "class")
        # defined twice (`if cin: class Converter(Base): ...` / `else: class Converter: ...`, sympy):
        # which one runs is not ours to know
        dynamic = dynamic or qualname in self.summary.classes
        self.summary.classes[qualname] = ClassInfo(
            name=cls.name, qualname=qualname, line=cls.lineno, end_line=cls.end_lineno or cls.lineno,
            members=frozenset(members), bases=bases, dynamic=dynamic, decorators=decorators,
        )

    def method_writes_attributes(self, method: ast.FunctionDef | ast.AsyncFunctionDef, members: set[str]) -> bool:
        """Add every `self.x` the method mentions to members (a superset of its stores: quieter, never louder);
        True when the method can write attributes dynamically (setattr, __dict__, vars())."""
        args = method.args.posonlyargs + method.args.args
        if not args:
            return False
        receiver = args[0].arg
        segment = self.segment(method.lineno, method.end_lineno or method.lineno)
        if receiver + "." not in segment and receiver + " ." not in segment:
            return _writes_dynamically(segment)
        pattern = _RECEIVER_PATTERNS.get(receiver)
        if pattern is None:
            pattern = _RECEIVER_PATTERNS[receiver] = re.compile(
                r"(?<![\w.])%s\s*\.\s*([A-Za-z_]\w*)" % re.escape(receiver))
        members.update(pattern.findall(segment))
        return _writes_dynamically(segment)

    def segment(self, first_line: int, last_line: int) -> str:
        """The source text of lines first_line..last_line (1-based, inclusive)."""
        starts = self._starts()
        begin = starts[first_line - 1] if first_line - 1 < len(starts) else len(self.text)
        end = starts[last_line] if last_line < len(starts) else len(self.text)
        return self.text[begin:end]

    def record_all(self, stmt: ast.stmt) -> None:
        summary = self.summary
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                items = _string_items(stmt.value) if stmt.value is not None else None
                if items is None:
                    summary.all_dynamic = True
                else:
                    summary.all_names = tuple(items)
        elif isinstance(stmt, ast.AugAssign):
            if isinstance(stmt.target, ast.Name) and stmt.target.id == "__all__":
                items = _string_items(stmt.value)
                if items is None:
                    summary.all_dynamic = True
                else:
                    summary.all_names = (summary.all_names or ()) + tuple(items)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            if isinstance(func, ast.Attribute) and dotted_name(func.value) == "__all__":
                if func.attr == "append" and stmt.value.args:
                    items = _string_items(ast.List(elts=[stmt.value.args[0]]))
                elif func.attr == "extend" and stmt.value.args:
                    items = _string_items(stmt.value.args[0])
                else:
                    items = None
                if items is None:
                    summary.all_dynamic = True
                else:
                    summary.all_names = (summary.all_names or ()) + tuple(items)

    def note_classes_handed_to(self, value: ast.expr) -> None:
        """A module-level call made for its effect, given a name: `setattr(Klass, name, value)`,
        `make_color_table(Klass)` (IPython), `register(Klass)`. The callee may add attributes to it, so a
        class of that name gets members nobody can list (ClassInfo.dynamic); given `__name__`, the module
        itself (open_namespace)."""
        if not isinstance(value, ast.Call):
            return
        func = value.func
        if isinstance(func, ast.Name) and func.id in PURE_BUILTINS:
            return
        for argument in [*value.args, *(keyword.value for keyword in value.keywords)]:
            if isinstance(argument, ast.Starred):
                argument = argument.value
            if isinstance(argument, ast.Name) and argument.id == "__name__":
                # `enable_attribute_deprecations(__name__)` (trio), `lazy.install(__name__)`: the callee
                # may replace or fill this module through sys.modules
                self.summary.open_namespace = True
            elif isinstance(argument, ast.Name):
                self.class_stores.setdefault(argument.id, set()).add(UNKNOWN_MEMBERS)

    def check_open_target(self, target: ast.expr) -> None:
        # globals()[...] = ..., vars()[...] = ..., sys.modules[__name__] = ...
        if isinstance(target, ast.Subscript):
            value = target.value
            if isinstance(value, ast.Call) and dotted_name(value.func) in ("globals", "vars", "locals"):
                self.summary.open_namespace = True
            elif dotted_name(value) == "sys.modules":
                self.summary.open_namespace = True

    def scan_open_expression(self, expr: ast.expr) -> None:
        if not self.maybe_open and not self.has_walrus:
            return
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                func = dotted_name(node.func)
                if func in ("globals().update", "exec", "setattr") or (
                    isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Call)
                    and dotted_name(node.func.value.func) in ("globals", "vars", "locals")
                ):
                    if func == "setattr":
                        if node.args and _mentions_sys_modules(node.args[0]):
                            self.summary.open_namespace = True
                    else:
                        self.summary.open_namespace = True
            elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                self.bind(node.target.id, node.lineno, "assign")

    def scan_walrus(self, expr: ast.expr) -> None:
        if not self.has_walrus:
            return
        for node in ast.walk(expr):
            if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                self.bind(node.target.id, node.lineno, "assign")

    # ---- pass 2: attribute uses and patch targets ----------------------
    def collect_uses(self, tree: ast.Module) -> None:
        roots: dict[str, tuple[str, ...]] = {}
        for name, kinds in self.binding_kinds.items():
            if len(kinds) != 1:
                continue
            kind = next(iter(kinds))
            if kind == "import" or kind == "class":
                roots[name] = (name,)
        self.module_roots = roots
        candidate_names = set(roots)
        text = self.text
        starts = self._starts()
        ctor_lines: list[int] = []
        if roots:
            for match in ctor_assignments(text):
                if match.group(2).split(".", 1)[0] in roots:
                    candidate_names.add(match.group(1))
                    ctor_lines.append(bisect.bisect_right(starts, match.start()))
        self.ctor_lines = sorted(ctor_lines)
        hit_lines = lines_mentioning(text, starts, candidate_names)
        if not hit_lines:
            return
        self.hits = sorted(hit_lines)
        _UseCollector(self, roots).visit_block(tree.body, locals_=None)

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            self.line_text(1)
        assert self._line_starts is not None
        return self._line_starts

    def touches(self, node: ast.AST) -> bool:
        start = node.lineno  # type: ignore[attr-defined]
        end = node.end_lineno or start  # type: ignore[attr-defined]
        decorators = getattr(node, "decorator_list", None)
        if decorators:
            start = min(start, *(d.lineno for d in decorators))
        index = bisect.bisect_left(self.hits, start)
        return index < len(self.hits) and self.hits[index] <= end


class _UseCollector:
    """Walk statements; in those that touch a hit line, find attribute chains and patch calls."""

    def __init__(self, owner: _Summarizer, roots: dict[str, tuple[str, ...]]) -> None:
        self.owner = owner
        self.roots = roots

    def visit_block(self, body: list[ast.stmt], locals_: set[str] | None,
                    instances: dict[str, tuple[str, ...]] | None = None, guarded: bool = False) -> None:
        owner = self.owner
        if instances is None:
            instances = self.instances_in(body, locals_) if owner.ctor_lines else {}
        for stmt in body:
            if not owner.touches(stmt):
                continue
            self.visit_statement(stmt, locals_, instances, guarded)

    def instances_in(self, body: list[ast.stmt], locals_: set[str] | None) -> dict[str, tuple[str, ...]]:
        """x = C(...) assigned exactly once in this scope, where C is a module-level class/import."""
        counts: dict[str, int] = {}
        ctor: dict[str, tuple[str, ...]] = {}
        for stmt in _statements_in(body):
            targets: list[ast.expr] = []
            if isinstance(stmt, ast.Assign):
                targets = stmt.targets
            elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
                targets = [stmt.target]
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                targets = [stmt.target]
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                counts[stmt.name] = counts.get(stmt.name, 0) + 2
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    local = (alias.asname or alias.name).split(".", 1)[0]
                    counts[local] = counts.get(local, 0) + 2
            for target in targets:
                for name in _target_names(target):
                    counts[name] = counts.get(name, 0) + 1
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call)
            ):
                func = dotted_name(stmt.value.func)
                if func:
                    head = func.split(".", 1)[0]
                    if head in self.roots and (locals_ is None or head not in locals_):
                        ctor[stmt.targets[0].id] = tuple(func.split("."))
        return {name: chain for name, chain in ctor.items() if counts.get(name) == 1}

    def visit_statement(self, stmt: ast.stmt, locals_: set[str] | None,
                        instances: dict[str, tuple[str, ...]], guarded: bool) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in stmt.decorator_list:
                self.visit_expression(decorator, locals_, instances, guarded)
            for default in stmt.args.defaults + [d for d in stmt.args.kw_defaults if d is not None]:
                self.visit_expression(default, locals_, instances, guarded)
            function_locals = _function_locals(stmt, self.owner.has_walrus)
            if locals_ is not None:
                # names local to an enclosing function shadow module-level ones too
                function_locals |= locals_
            inner_instances = {k: v for k, v in instances.items() if k not in function_locals}
            if _any_between(self.owner.ctor_lines, stmt.lineno, stmt.end_lineno or stmt.lineno):
                # a parameter rebound to `C(...)` is something else until then (antlr4's merge():
                # `if isinstance(a, Singleton): a = Array([a.parentCtx], ...)`)
                parameters = _parameter_names(stmt.args)
                inner_instances.update((name, chain) for name, chain in
                                       self.instances_in(stmt.body, function_locals).items()
                                       if name not in parameters)
            self.visit_block(stmt.body, function_locals, inner_instances, guarded)
        elif isinstance(stmt, ast.ClassDef):
            for expr in stmt.decorator_list + stmt.bases + [k.value for k in stmt.keywords]:
                self.visit_expression(expr, locals_, instances, guarded)
            class_locals = set(locals_ or ()) | _block_bound_names(stmt.body)
            self.visit_block(stmt.body, class_locals, {k: v for k, v in instances.items() if k not in class_locals},
                             guarded)
        elif isinstance(stmt, ast.Try) or (sys.version_info >= (3, 11) and isinstance(stmt, ast.TryStar)):
            catches = _handler_names(stmt.handlers)
            inner_guarded = guarded or bool(catches & ATTRIBUTE_ERRORS)
            self.visit_block(stmt.body, locals_, instances, inner_guarded)
            for handler in stmt.handlers:
                self.visit_block(handler.body, locals_, instances, guarded)
            self.visit_block(stmt.orelse, locals_, instances, guarded)
            self.visit_block(stmt.finalbody, locals_, instances, guarded)
        elif isinstance(stmt, (ast.If, ast.While)):
            test_guarded = guarded or _mentions_hasattr(stmt.test)
            self.visit_expression(stmt.test, locals_, instances, guarded)
            self.visit_block(stmt.body, locals_, instances, test_guarded)
            self.visit_block(stmt.orelse, locals_, instances, test_guarded)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.visit_expression(stmt.iter, locals_, instances, guarded)
            self.visit_block(stmt.body, locals_, instances, guarded)
            self.visit_block(stmt.orelse, locals_, instances, guarded)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            suppressed = guarded or any(_is_suppress(item.context_expr, ATTRIBUTE_ERRORS) for item in stmt.items)
            for item in stmt.items:
                self.visit_expression(item.context_expr, locals_, instances, guarded)
            self.visit_block(stmt.body, locals_, instances, suppressed)
        elif sys.version_info >= (3, 10) and isinstance(stmt, ast.Match):
            self.visit_expression(stmt.subject, locals_, instances, guarded)
            for case in stmt.cases:
                self.visit_block(case.body, locals_, instances, guarded)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Pass, ast.Break,
                               ast.Continue)):
            return
        else:
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self.visit_expression(child, locals_, instances, guarded)

    def visit_expression(self, expr: ast.expr, locals_: set[str] | None,
                         instances: dict[str, tuple[str, ...]], guarded: bool) -> None:
        owner = self.owner
        roots = self.roots
        skip: set[int] = set()
        lambda_args: set[str] = set()
        attributes: list[ast.Attribute] = []
        for node in ast.walk(expr):
            kind = type(node)
            if kind is ast.Attribute:
                attributes.append(node)  # type: ignore[arg-type]
            elif kind is ast.Call:
                self.patch_call(node, locals_)  # type: ignore[arg-type]
            elif kind is ast.Lambda:
                lambda_args.update(a.arg for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs)
            elif kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
                for generator in node.generators:  # type: ignore[attr-defined]
                    lambda_args.update(_target_names(generator.target))
            elif kind is ast.NamedExpr:
                lambda_args.update(_target_names(node.target))  # type: ignore[attr-defined]
        for node in attributes:
            if id(node) in skip:
                continue
            # take the longest chain starting here; mark inner attributes as seen
            chain: list[ast.Attribute] = []
            current: ast.expr = node
            while isinstance(current, ast.Attribute):
                chain.append(current)
                skip.add(id(current))
                current = current.value
            if isinstance(current, ast.Name) and any(not isinstance(a.ctx, ast.Load) for a in chain):
                # stores and deletes declare attributes, guarded or not (`if not hasattr(mail, "outbox"):
                # mail.outbox = []`, django): remember them, check only reads
                owner.stored.add((current.id, chain[-1].attr))
                continue
            if guarded:
                continue
            if isinstance(current, ast.Call):
                # C(...).attr: an instance of a module-level class
                func = dotted_name(current.func)
                head = func.split(".", 1)[0] if func else None
                if (
                    head is None
                    or head not in roots
                    or head in lambda_args
                    or (locals_ is not None and head in locals_)
                    or any(not isinstance(a.ctx, ast.Load) for a in chain)
                ):
                    continue
                chain.reverse()
                owner.uses.append(AttributeUse(
                    root=roots[head] + tuple(func.split(".")[1:]),
                    attrs=tuple(a.attr for a in chain),
                    spans=tuple(self.attr_span(a) for a in chain),
                    instance=True,
                    root_name="",
                ))
                continue
            if not isinstance(current, ast.Name):
                continue
            name = current.id
            if any(not isinstance(a.ctx, ast.Load) for a in chain):
                # stores and deletes declare attributes: remember them, check only reads
                owner.stored.add((name, chain[-1].attr))
                continue
            if name in lambda_args:
                continue
            chain.reverse()
            if name in instances:
                root, instance = instances[name], True
            elif name in roots and (locals_ is None or name not in locals_):
                root, instance = roots[name], False
            else:
                continue
            owner.uses.append(AttributeUse(
                root=root,
                attrs=tuple(a.attr for a in chain),
                spans=tuple(self.attr_span(a) for a in chain),
                instance=instance,
                root_name=name,
            ))

    def quote_of(self, node: ast.Constant) -> str:
        """The prefix and quote that open a string literal ('' when unsure)."""
        line = self.owner.line_text(node.lineno)
        start = self.owner.table.column(node.lineno, node.col_offset) - 1
        match = _STRING_OPENING.match(line, start)
        return match.group(0) if match else ""

    def is_mock_function(self, func: str) -> bool:
        """`patch` / `mock.patch` only count when they come from unittest.mock or mock; fixtures by name."""
        head = func.split(".", 1)[0]
        if head in ("mocker", "monkeypatch"):
            return True
        summary = self.owner.summary
        if head == "patch":
            origin = summary.reexports.get("patch")
            return origin is not None and origin[0] in ("unittest.mock", "mock") and origin[2] == "patch"
        if head == "mock":
            origin = summary.reexports.get("mock")
            if origin is not None:
                return origin[0] == "unittest" and origin[2] == "mock"
            return summary.module_aliases.get("mock") in ("mock", "unittest.mock")
        if head == "unittest":
            return summary.module_aliases.get("unittest") == "unittest"
        return False

    def attr_span(self, node: ast.Attribute) -> Span:
        owner = self.owner
        end_line = node.end_lineno or node.lineno
        end_col = owner.table.column(end_line, node.end_col_offset or 0)
        return Span(end_line, max(end_col - len(node.attr), 1), end_line, end_col)

    def patch_call(self, call: ast.Call, locals_: set[str] | None) -> None:
        func = dotted_name(call.func)
        if func is None:
            return
        head = func.split(".", 1)[0]
        if not self.is_mock_function(func):
            return
        if locals_ is not None and head in locals_ and head not in ("mocker", "monkeypatch"):
            return  # a local named like the mock helpers is something else
        create = any(k.arg == "create" and _truthy(k.value) for k in call.keywords)
        if func in PATCH_FUNCTIONS:
            target = call.args[0] if call.args else _keyword(call, "target")
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                self.owner.patches.append(PatchTarget("patch", target.value, self.owner.span(target), create=create,
                                                      quote=self.quote_of(target)))
        elif func in PATCH_OBJECT_FUNCTIONS:
            if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str):
                obj = dotted_name(call.args[0])
                if obj and obj.split(".", 1)[0] in self.roots and (locals_ is None or obj.split(".")[0] not in locals_):
                    root = self.roots[obj.split(".", 1)[0]] + tuple(obj.split(".")[1:])
                    self.owner.patches.append(PatchTarget("object", call.args[1].value, self.owner.span(call.args[1]),
                                                          object_root=root, create=create,
                                                          quote=self.quote_of(call.args[1])))
        elif func in SETATTR_FUNCTIONS:
            raising = _keyword(call, "raising")
            if raising is not None and not _truthy(raising):
                return
            first = call.args[0] if call.args else _keyword(call, "target")
            value_count = len(call.args)
            if (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and "." in first.value
                and (value_count == 2 or (func.endswith("delattr") and value_count == 1))
            ):
                self.owner.patches.append(PatchTarget("setattr", first.value, self.owner.span(first),
                                                      quote=self.quote_of(first)))


# ---- small pure helpers ---------------------------------------------------

def _writes_dynamically(segment: str) -> bool:
    return ("setattr" in segment or "__dict__" in segment or "vars" in segment) and bool(_DYNAMIC_WRITES.search(segment))


def _parameter_names(args: ast.arguments) -> set[str]:
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    return names


def ctor_assignments(text: str) -> list[re.Match[str]]:
    """The matches `_CTOR_ASSIGN.finditer(text)` gives (`name = dotted(`), found ~15x faster.

    `_CTOR_ASSIGN` has no literal prefix, so a scan tries it at every position; here a pattern that
    starts with `=` finds the candidates and the name before each is matched in place.
    """
    found = []
    match_at = _CTOR_ASSIGN.match
    for candidate in _CTOR_VALUE.finditer(text):
        index = candidate.start() - 1
        while index >= 0 and text[index].isspace():
            index -= 1
        end = index
        while index >= 0 and (text[index].isalnum() or text[index] == "_"):
            index -= 1
        if index == end:
            continue
        match = match_at(text, index + 1)
        if match is not None:
            found.append(match)
    return found


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins, lines ending at \\n, \\r\\n or \\r (Python's numbering)."""
    if "\r" in text:
        return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
    # C-level iteration: a line of length n and its newline move the next start by n + 1
    return list(itertools.accumulate(map((1).__add__, map(len, text.split("\n")[:-1])), initial=0))


def lines_mentioning(text: str, starts: list[int], names: Iterable[str]) -> set[int]:
    """1-based lines where one of `names` (a whole word) is the root of an attribute read, or a patch word.

    Only these statements can hold an attribute use: `name.attr` (spaces and line breaks allowed
    before the dot) and `name(...).attr` (calls nested three deep). Lines where a name is only
    called, annotated or passed on are not walked at all.
    """
    lines: set[int] = set()
    length = len(text)
    call_then_attribute = _CALL_THEN_ATTRIBUTE.match
    for name in names:
        position = text.find(name)
        size = len(name)
        while position != -1:
            after_at = position + size
            before = text[position - 1] if position else " "
            after = text[after_at] if after_at < length else " "
            if not (before.isalnum() or before in "_.") and not (after.isalnum() or after == "_"):
                while after in " \t\r\n\\" and after_at + 1 < length:  # `name \` + newline + `.attr` too
                    after_at += 1
                    after = text[after_at]
                if after == "." or (after == "(" and call_then_attribute(text, after_at)):
                    lines.add(bisect.bisect_right(starts, position))
            position = text.find(name, position + size)
    for match in _PATCH_WORDS.finditer(text):
        lines.add(bisect.bisect_right(starts, match.start()))
    return lines


def _any_between(sorted_lines: list[int], first: int, last: int) -> bool:
    index = bisect.bisect_left(sorted_lines, first)
    return index < len(sorted_lines) and sorted_lines[index] <= last


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        names: list[str] = []
        for element in target.elts:
            names.extend(_target_names(element))
        return names
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _string_items(value: ast.AST | None) -> list[str] | None:
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        items = []
        for element in value.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                items.append(element.value)
            else:
                return None
        return items
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        left = _string_items(value.left)
        right = _string_items(value.right)
        if left is not None and right is not None:
            return left + right
    return None


def _handler_names(handlers: list[ast.ExceptHandler]) -> set[str]:
    names: set[str] = set()
    for handler in handlers:
        if handler.type is None:
            names.add("BaseException")
            continue
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for node in types:
            dotted = dotted_name(node)
            if dotted:
                names.add(dotted.rsplit(".", 1)[-1])
    return names


_ENVIRONMENT_NAMES = {"sys.version_info", "sys.platform", "os.name", "platform.system", "sys.implementation",
                      "platform.python_implementation", "sys.maxsize", "sys.byteorder"}
_MODULE_MODE_NAMES = {"__name__", "__package__", "__spec__"}  # `if "." in __name__:` (imported or run as a script)
_ENVIRONMENT_FLAG = re.compile(r"(^|_)(PY|PYTHON)_?\d|^PY(PY)?$|VERSION|WINDOWS|WIN32|DARWIN|MACOS|LINUX|POSIX|CPYTHON|PYPY",
                               re.IGNORECASE)


def _condition_kind(test: ast.expr, condition_names: set[str] | frozenset[str] = frozenset()) -> tuple[str, bool]:
    """('condition', False) for version/platform checks; ('', True) for TYPE_CHECKING."""
    text_names = {dotted_name(n) for n in ast.walk(test) if isinstance(n, (ast.Name, ast.Attribute))}
    text_names.discard(None)
    if text_names & {"TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"}:
        return "", True
    if text_names & _ENVIRONMENT_NAMES or text_names & condition_names or text_names & _MODULE_MODE_NAMES:
        return "condition", False
    for name in text_names:
        last = name.rsplit(".", 1)[-1]  # type: ignore[union-attr]
        if _ENVIRONMENT_FLAG.search(last):
            return "condition", False
    return "", False


def _mentions_environment(expr: ast.expr) -> bool:
    return any(dotted_name(n) in _ENVIRONMENT_NAMES for n in ast.walk(expr) if isinstance(n, ast.Attribute))


def _is_suppress_import_error(expr: ast.expr) -> bool:
    return _is_suppress(expr, IMPORT_ERRORS)


_EXPECTING = ("suppress", "raises", "assertRaises")  # contextlib.suppress, pytest.raises, unittest's assertRaises


def _is_suppress(expr: ast.expr, errors: set[str]) -> bool:
    """`with suppress(ImportError)`, or an import expected to fail: `with pytest.raises(ImportError)`,
    `with self.assertRaises((ImportError, ValueError))`."""
    if not isinstance(expr, ast.Call) or not expr.args:
        return False
    called = dotted_name(expr.func) or ""
    if not called.endswith(_EXPECTING):
        return False
    for arg in expr.args if called.endswith("suppress") else expr.args[:1]:
        for item in (arg.elts if isinstance(arg, ast.Tuple) else [arg]):
            name = dotted_name(item)
            if name and name.rsplit(".", 1)[-1] in errors:
                return True
    return False


def _statements_in(body: list[ast.stmt], into_functions: bool = False):
    """Every statement in a block, descending into compound statements but not nested scopes."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not into_functions:
            continue
        for name in ("body", "orelse", "finalbody"):
            block = getattr(stmt, name, None)
            if isinstance(block, list):
                stack.extend(reversed(block))
        for handler in getattr(stmt, "handlers", ()) or ():
            stack.extend(reversed(handler.body))
        for case in getattr(stmt, "cases", ()) or ():
            stack.extend(reversed(case.body))


def _function_locals(func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, walrus: bool = True) -> set[str]:
    args = func.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    if args.vararg:
        names.add(args.vararg.arg)
    if args.kwarg:
        names.add(args.kwarg.arg)
    if isinstance(func, ast.Lambda):
        return names
    declared_global: set[str] = set()
    for stmt in _statements_in(func.body):
        if isinstance(stmt, (ast.Global, ast.Nonlocal)):
            declared_global.update(stmt.names)
    names |= _block_bound_names(func.body)
    # walrus targets anywhere in the function body
    if walrus:
        for node in ast.walk(func):
            if isinstance(node, ast.NamedExpr):
                names.update(_target_names(node.target))
    return names - declared_global


def _block_bound_names(body: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for stmt in _statements_in(body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                names.update(_target_names(target))
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            names.update(_target_names(stmt.target))
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            names.update(_target_names(stmt.target))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    names.update(_target_names(item.optional_vars))
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                names.add((alias.asname or alias.name).split(".", 1)[0])
        elif isinstance(stmt, ast.Try) or (sys.version_info >= (3, 11) and isinstance(stmt, ast.TryStar)):
            for handler in stmt.handlers:
                if handler.name:
                    names.add(handler.name)
        elif sys.version_info >= (3, 10) and isinstance(stmt, ast.Match):
            for case in stmt.cases:
                for node in ast.walk(case.pattern):
                    name = getattr(node, "name", None)
                    if isinstance(name, str):
                        names.add(name)
    return names


def _call_func(node: ast.expr) -> ast.expr:
    return node.func if isinstance(node, ast.Call) else node


def _subscript_value(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Subscript) else node


def _mentions_sys_modules(node: ast.expr) -> bool:
    return any(dotted_name(n) == "sys.modules" for n in ast.walk(node) if isinstance(n, ast.Attribute))


def _mentions_locals_write(expr: ast.expr) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and dotted_name(node.func) in ("locals().update", "vars().update", "exec"):
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Call)
            and dotted_name(node.func.value.func) in ("locals", "vars")
        ):
            return True
    return False


def _mentions_hasattr(expr: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Call) and dotted_name(n.func) in ("hasattr", "getattr") for n in ast.walk(expr)
    )


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _truthy(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return bool(node.value)
    return True  # a non-literal value: assume it may be true (quiet)
