"""Count a test file's tests from its AST by pytest's rules, without importing it."""

from __future__ import annotations

import ast
import fnmatch
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from importsense.collection.config import PytestConfig, read_pytest_config
from importsense.collection.results import CollectionError, FileStatus
from importsense.project.summary import dotted_name

UNKNOWN = -1  # a fixture's params whose length we cannot know

# Names from `unittest` that are TestCase classes.
UNITTEST_CASES = {"TestCase", "IsolatedAsyncioTestCase", "FunctionTestCase"}
# Bases that add no tests and no __init__ that matters.
NEUTRAL_BASES = {"object", "ABC", "abc.ABC", "Generic", "typing.Generic", "Protocol", "typing.Protocol"}

ImportFailure = tuple[int, str] | tuple[int, str, Path | None, int | None]


@dataclass(frozen=True)
class StaticCount:
    """Tests pytest would collect from one file, as far as the AST tells."""

    tests: int
    exact: bool = True
    error: CollectionError | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fixture:
    """A fixture as collection sees it: how many params, which fixtures it requests, autouse."""

    name: str
    params: int | None  # None: not parametrized; UNKNOWN: parametrized, count unknown
    requests: tuple[str, ...]
    autouse: bool = False


@dataclass(frozen=True)
class ConftestInfo:
    """What a conftest.py contributes to counting: fixtures and dynamic parametrization."""

    fixtures: Mapping[str, Fixture]
    generates_tests: bool  # defines pytest_generate_tests


@dataclass
class _Mark:
    count: int
    exact: bool
    argnames: tuple[str, ...] = ()
    indirect: tuple[str, ...] = ()
    usefixtures: tuple[str, ...] = ()


@dataclass
class _Counter:
    """Mutable tally while walking one module."""

    exact: bool = True
    reasons: list[str] = field(default_factory=list)

    def unsure(self, reason: str) -> None:
        self.exact = False
        if reason not in self.reasons:
            self.reasons.append(reason)


# ---------------------------------------------------------------------------
# public entry points
# ---------------------------------------------------------------------------


def static_status(
    root: Path,
    files: Sequence[Path],
    *,
    import_failures: Mapping[Path, ImportFailure] | None = None,
    config: PytestConfig | None = None,
) -> list[FileStatus]:
    """Per-file static status: AST counts, and "error" where the core engine found a breaking import.

    `import_failures` maps a test file to (line in that file, message), or to
    (line, message, root path, root line) when the break is in a first-party
    module the file imports.
    """
    root = Path(os.path.abspath(root))
    config = config or read_pytest_config(root)
    failures = {Path(os.path.abspath(root / p)): v for p, v in (import_failures or {}).items()}
    statuses: list[FileStatus] = []
    conftest_cache: dict[Path, list[ConftestInfo]] = {}
    for file in files:
        path = Path(os.path.abspath(root / file))
        count = count_file(path, config, conftest_cache=conftest_cache)
        error = count.error
        if error is None and path in failures:
            error = _failure_error(failures[path], path)
        if error is not None:
            statuses.append(FileStatus(path, "error", 0, error=error, source="static", exact=count.exact))
        else:
            statuses.append(FileStatus(path, "ok", count.tests, source="static", exact=count.exact))
    return statuses


def _failure_error(failure: ImportFailure, test_file: Path) -> CollectionError:
    line, message = failure[0], failure[1]
    root_path = failure[2] if len(failure) > 2 else None  # type: ignore[misc]
    root_line = failure[3] if len(failure) > 3 else None  # type: ignore[misc]
    if root_path is not None and Path(os.path.abspath(root_path)) == test_file:
        root_path = root_line = None  # the failing import is in the test file itself
    return CollectionError(
        type="ImportError",
        message=message,
        line=line,
        root_path=Path(root_path) if root_path is not None else None,
        root_line=root_line,
    )


def count_file(path: Path, config: PytestConfig, *, conftest_cache: dict[Path, list[ConftestInfo]] | None = None) -> StaticCount:
    """Read, parse and count one test file, with the fixtures of the conftest.py files above it.

    `conftest_cache` (directory -> conftests) lets many files of one run share the lookups.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        return StaticCount(0, error=CollectionError(type(exc).__name__, str(exc)))
    if conftest_cache is None:
        conftests = conftests_for(path, config)
    else:
        conftests = conftest_cache.get(path.parent)
        if conftests is None:
            conftests = conftest_cache[path.parent] = conftests_for(path, config)
    return count_tests(data, path, config, conftests=conftests)


def count_tests(
    source: str | bytes, path: Path, config: PytestConfig, *, conftests: Sequence[ConftestInfo] = ()
) -> StaticCount:
    """Tests in one module's source; `conftests` nearest first."""
    try:
        tree = ast.parse(source, str(path))
    except SyntaxError as exc:
        return StaticCount(0, error=CollectionError("SyntaxError", exc.msg or str(exc), line=exc.lineno))
    except ValueError as exc:  # null bytes
        return StaticCount(0, error=CollectionError("SyntaxError", str(exc)))
    may_yield = "yield" in source if isinstance(source, str) else b"yield" in source
    return _ModuleCounter(tree, config, conftests, may_yield=may_yield).count()


def conftests_for(path: Path, config: PytestConfig) -> list[ConftestInfo]:
    """Parsed conftest.py files that apply to `path`, nearest first, stopping at the conftest cut-off."""
    if config.noconftest:
        return []
    cutoff = config.conftest_cutoff
    found: list[ConftestInfo] = []
    for base in path.parents:
        if base != cutoff and cutoff not in base.parents:
            break
        conftest = base / "conftest.py"
        try:
            stat = conftest.stat()
        except OSError:
            continue
        info = _read_conftest(str(conftest), stat.st_mtime_ns, stat.st_size)
        if info is not None:
            found.append(info)
    return found


@lru_cache(maxsize=1024)
def _read_conftest(path: str, _mtime: int, _size: int) -> ConftestInfo | None:
    try:
        tree = ast.parse(Path(path).read_bytes(), path)
    except (OSError, SyntaxError, ValueError):
        return None
    bindings = _bindings(tree.body)
    fixtures = _fixtures(bindings.values(), is_method=False)
    return ConftestInfo(fixtures=fixtures, generates_tests="pytest_generate_tests" in bindings)


# ---------------------------------------------------------------------------
# name matching: pytest's python_functions / python_classes rules
# ---------------------------------------------------------------------------


def matches_prefix_or_glob(name: str, options: Iterable[str]) -> bool:
    """pytest's `_matches_prefix_or_glob_option`: a prefix, or an fnmatch glob when it looks like one."""
    for option in options:
        if name.startswith(option):
            return True
        if ("*" in option or "?" in option or "[" in option) and fnmatch.fnmatch(name, option):
            return True
    return False


# ---------------------------------------------------------------------------
# AST helpers
# ---------------------------------------------------------------------------


def _bindings(body: Sequence[ast.stmt], conditional: list[bool] | None = None) -> dict[str, ast.AST]:
    """Names a module or class body binds, the last binding winning, in definition order.

    Definitions nested in if/try/with blocks count too; `conditional` gets a
    True appended when one of them binds a name.
    """
    names: dict[str, ast.AST] = {}

    def bind(name: str, node: ast.AST) -> None:
        names.pop(name, None)
        names[name] = node

    def visit(stmts: Sequence[ast.stmt], nested: bool) -> None:
        for node in stmts:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bind(node.name, node)
                if nested and conditional is not None:
                    conditional.append(True)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    for name in _target_names(target):
                        bind(name, node)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                for name in _target_names(node.target):
                    if isinstance(node, ast.AnnAssign) and node.value is None:
                        continue
                    bind(name, node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name == "*":
                        bind("*", node)
                    else:
                        bind(alias.asname or alias.name.split(".")[0], node)
            elif isinstance(node, ast.If):
                visit(node.body, True)
                visit(node.orelse, True)
            elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                visit(node.body, True)
                for handler in node.handlers:
                    visit(handler.body, True)
                visit(node.orelse, True)
                visit(node.finalbody, True)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                visit(node.body, True)

    visit(body, False)
    return names


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _target_names(elt)]
    return []


def _assigned_value(node: ast.AST) -> ast.expr | None:
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return node.value
    return None


def _is_fixture_decorator(decorator: ast.expr) -> bool:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = dotted_name(func)
    return name is not None and name.split(".")[-1] in ("fixture", "yield_fixture")


def _decorator_names(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = []
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted_name(target)
        if name:
            names.append(name)
    return names


def _argnames(func: ast.FunctionDef | ast.AsyncFunctionDef, *, is_method: bool) -> tuple[str, ...]:
    """Fixture names a function requests: positional and keyword-only arguments without defaults."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    if args.defaults:
        positional = positional[: len(positional) - len(args.defaults)]
    if is_method and "staticmethod" not in _decorator_names(func) and positional:
        positional = positional[1:]
    keyword = [a for a, default in zip(args.kwonlyargs, args.kw_defaults) if default is None]
    return tuple(a.arg for a in [*positional, *keyword])


def _fixtures(nodes: Iterable[ast.AST], *, is_method: bool) -> dict[str, Fixture]:
    fixtures: dict[str, Fixture] = {}
    for node in nodes:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        decorator = next((d for d in node.decorator_list if _is_fixture_decorator(d)), None)
        if decorator is None:
            continue
        name, params, autouse = node.name, None, False
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    name = str(keyword.value.value)
                elif keyword.arg == "params":
                    params = _sequence_length(keyword.value)
                    if params is None:
                        params = UNKNOWN
                elif keyword.arg == "autouse" and isinstance(keyword.value, ast.Constant):
                    autouse = bool(keyword.value.value)
        fixtures[name] = Fixture(name, params, _argnames(node, is_method=is_method), autouse)
    return fixtures


def _sequence_length(node: ast.expr) -> int | None:
    """Length of a literal list/tuple/set (any elements), or of `range(<ints>)`; None when unknown."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return None
        return len(node.elts)
    if isinstance(node, ast.Dict):
        return len(node.keys) if None not in node.keys else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        values = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, int)]
        if len(values) == len(node.args) and 1 <= len(values) <= 3 and not node.keywords:
            try:
                return len(range(*values))
            except ValueError:
                return None
    return None


def _string_names(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return tuple(n.strip() for n in node.value.split(",") if n.strip())
    if isinstance(node, (ast.List, ast.Tuple)):
        names = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if len(names) == len(node.elts):
            return tuple(n.strip() for n in names)
    return None


# ---------------------------------------------------------------------------
# the module walk
# ---------------------------------------------------------------------------


class _ModuleCounter:
    def __init__(
        self, tree: ast.Module, config: PytestConfig, conftests: Sequence[ConftestInfo], *, may_yield: bool = True
    ) -> None:
        self.config = config
        self.may_yield = may_yield
        self.conftests = conftests
        self.tally = _Counter()
        conditional: list[bool] = []
        self.bindings = _bindings(tree.body, conditional)
        self.conditional = bool(conditional)
        self.tree = tree
        self.classes = {n: v for n, v in self.bindings.items() if isinstance(v, ast.ClassDef)}
        self.unittest_names = self._unittest_names()
        self.module_fixtures = _fixtures(self.bindings.values(), is_method=False)

    # -- entry ------------------------------------------------------------
    def count(self) -> StaticCount:
        tally = self.tally
        if self._module_disabled():
            return StaticCount(0, True)
        skipped = self._module_skip()
        if skipped is not None:
            return StaticCount(0, skipped)
        stop = self._module_stop()
        if stop is not None:
            return StaticCount(0, True, error=stop)
        if self.conditional:
            tally.unsure("definitions inside if/try blocks")
        if any(c.generates_tests for c in self.conftests) or "pytest_generate_tests" in self.bindings:
            tally.unsure("pytest_generate_tests parametrizes dynamically")
        module_marks = self._marks_of_value(self.bindings.get("pytestmark"))
        total = 0
        config = self.config
        for name, node in self.bindings.items():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if matches_prefix_or_glob(name, config.python_functions) and self._is_test_callable(node):
                    if self.may_yield and _is_generator(node):
                        error = CollectionError(
                            "Failed",
                            f"'yield' keyword is allowed in fixtures, but not in tests ({name})",
                            line=node.lineno,
                        )
                        return StaticCount(0, True, error=error)
                    total += self._count_function(node, module_marks, class_fixtures=[], is_method=False)
            elif isinstance(node, ast.ClassDef):
                total += self._count_class(node, module_marks, outer_fixtures=[])
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                total += self._imported(name, node)
            elif name != "pytestmark" and not isinstance(_assigned_value(node), ast.Constant) and (
                matches_prefix_or_glob(name, config.python_functions) or matches_prefix_or_glob(name, config.python_classes)
            ):
                tally.unsure(f"`{name}` is assigned, not defined")
        return StaticCount(total, tally.exact, reasons=tuple(tally.reasons))

    def _module_disabled(self) -> bool:
        value = _assigned_value(self.bindings["__test__"]) if "__test__" in self.bindings else None
        return isinstance(value, ast.Constant) and value.value is False

    def _module_skip(self) -> bool | None:
        """Exactness of a top-level pytest.skip(allow_module_level=True) / importorskip, else None."""
        for node in self.tree.body:
            call = node.value if isinstance(node, (ast.Expr, ast.Assign)) else None
            if not isinstance(call, ast.Call):
                continue
            name = dotted_name(call.func) or ""
            if name.endswith("skip") and name.split(".")[-1] == "skip" and any(
                k.arg == "allow_module_level" and isinstance(k.value, ast.Constant) and k.value.value for k in call.keywords
            ):
                return True
        return None

    def _module_stop(self) -> CollectionError | None:
        """A top-level statement that always stops the import: sys.exit(), raise, or `while True` without break."""
        for node in self.tree.body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                name = dotted_name(node.value.func) or ""
                if name in ("sys.exit", "exit", "quit", "os._exit"):
                    args = node.value.args
                    code = ast.unparse(args[0]) if args else "None"
                    if name == "os._exit":
                        return CollectionError("ProcessExit", f"os._exit({code}) called at import time", line=node.lineno)
                    return CollectionError("SystemExit", f"sys.exit({code}) called at import time", line=node.lineno)
            elif isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                name = (dotted_name(target) or "Exception").split(".")[-1]
                message = ""
                if isinstance(node.exc, ast.Call) and node.exc.args and isinstance(node.exc.args[0], ast.Constant):
                    message = str(node.exc.args[0].value)
                return CollectionError(name, message, line=node.lineno)
            elif (
                isinstance(node, ast.While)
                and isinstance(node.test, ast.Constant)
                and node.test.value
                and not any(isinstance(n, (ast.Break, ast.Return, ast.Raise)) for n in ast.walk(node))
            ):
                return CollectionError("Timeout", "loops forever at import time", line=node.lineno)
        return None

    def _unittest_names(self) -> set[str]:
        names: set[str] = set()
        for name, node in self.bindings.items():
            if isinstance(node, ast.ImportFrom) and node.module == "unittest":
                for alias in node.names:
                    if (alias.asname or alias.name) == name and alias.name in UNITTEST_CASES:
                        names.add(name)
        return names

    def _imported(self, name: str, node: ast.Import | ast.ImportFrom) -> int:
        config = self.config
        if name == "*":
            if config.collect_imported_tests:
                self.tally.unsure("`import *` may bring in tests")
            return 0
        if name in self.unittest_names:
            return 0  # collected as an (empty) unittest class
        if not config.collect_imported_tests:
            return 0
        if matches_prefix_or_glob(name, config.python_functions) or matches_prefix_or_glob(name, config.python_classes):
            self.tally.unsure(f"imported `{name}` may be collected as a test")
        return 0

    def _is_test_callable(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        if any(_is_fixture_decorator(d) for d in node.decorator_list):
            return False
        names = _decorator_names(node)
        if any(n.split(".")[-1] in ("property", "cached_property") for n in names):
            return False
        test_flag = self._dunder_test_on(node)
        return test_flag is not False

    def _dunder_test_on(self, node: ast.AST) -> bool | None:
        if isinstance(node, ast.ClassDef):
            value = _assigned_value(_bindings(node.body).get("__test__", ast.Pass()))
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                return value.value
        return None

    # -- functions --------------------------------------------------------
    def _count_function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        inherited_marks: list[_Mark],
        *,
        class_fixtures: list[Mapping[str, Fixture]],
        is_method: bool,
    ) -> int:
        marks = [*inherited_marks, *self._marks_of_decorators(node.decorator_list)]
        product = 1
        direct: set[str] = set()
        indirect: set[str] = set()
        requested = list(_argnames(node, is_method=is_method))
        for mark in marks:
            product *= max(1, mark.count) if mark.count >= 0 else 1
            if not mark.exact:
                self.tally.unsure(f"parametrize values of `{node.name}` are not literal")
            direct.update(n for n in mark.argnames if n not in mark.indirect)
            indirect.update(mark.indirect)
            requested.extend(mark.usefixtures)
        scopes: list[Mapping[str, Fixture]] = [*class_fixtures, self.module_fixtures, *(c.fixtures for c in self.conftests)]
        for scope in scopes:
            requested.extend(f.name for f in scope.values() if f.autouse)
        seen: set[str] = set()
        stack = list(reversed(requested))
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in direct:
                continue
            fixture = next((scope[name] for scope in scopes if name in scope), None)
            if fixture is None:
                continue
            if name not in indirect and fixture.params is not None:
                if fixture.params == UNKNOWN:
                    self.tally.unsure(f"params of fixture `{name}` are not literal")
                else:
                    product *= max(1, fixture.params)
            stack.extend(reversed(fixture.requests))
        return product

    def _marks_of_decorators(self, decorators: Sequence[ast.expr]) -> list[_Mark]:
        marks: list[_Mark] = []
        for decorator in decorators:
            marks.extend(self._marks_of_value(decorator, from_decorator=True))
        return marks

    def _marks_of_value(self, node: ast.AST | None, *, from_decorator: bool = False) -> list[_Mark]:
        """Marks in a decorator, or in a `pytestmark` value (one mark or a list of them)."""
        if node is None:
            return []
        value = node if from_decorator else _assigned_value(node)
        if value is None:
            return []
        if isinstance(value, (ast.List, ast.Tuple)):
            return [m for elt in value.elts for m in self._marks_of_value(elt, from_decorator=True)]
        if isinstance(value, ast.Name) and value.id in self.bindings and value.id != "pytestmark":
            target = _assigned_value(self.bindings[value.id])
            if isinstance(target, ast.Call):
                return self._marks_of_value(target, from_decorator=True)
            return []
        if not isinstance(value, ast.Call):
            return []
        name = dotted_name(value.func) or ""
        last = name.split(".")[-1]
        if last == "parametrize" and ("mark" in name.split(".") or name == "parametrize"):
            return [self._parametrize(value)]
        if last == "usefixtures" and "mark" in name.split("."):
            names = tuple(a.value for a in value.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
            return [_Mark(1, True, usefixtures=names)]
        return []

    def _parametrize(self, call: ast.Call) -> _Mark:
        args = list(call.args)
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        argnames_node = args[0] if args else keywords.get("argnames")
        argvalues_node = args[1] if len(args) > 1 else keywords.get("argvalues")
        argnames = _string_names(argnames_node) if argnames_node is not None else None
        count = _sequence_length(argvalues_node) if argvalues_node is not None else None
        indirect: tuple[str, ...] = ()
        indirect_node = keywords.get("indirect")
        if isinstance(indirect_node, ast.Constant) and indirect_node.value is True:
            indirect = argnames or ()
        elif indirect_node is not None:
            indirect = _string_names(indirect_node) or ()
        exact = count is not None and argnames is not None
        return _Mark(count if count is not None else UNKNOWN, exact, argnames or (), indirect)

    # -- classes ----------------------------------------------------------
    def _count_class(self, node: ast.ClassDef, outer_marks: list[_Mark], *, outer_fixtures: list[Mapping[str, Fixture]]) -> int:
        kind = self._class_kind(node)
        if kind is None:
            return 0
        if self._class_flag(node) is False:
            return 0
        members, unknown = self._class_members(node)
        if unknown:
            self.tally.unsure(f"class `{node.name}` inherits from {', '.join(f'`{n}`' for n in unknown)}, defined elsewhere")
        if self._is_abstract(node, members):
            return 0
        if kind == "unittest":
            return self._count_unittest(node, members)
        if "__init__" in members or "__new__" in members:
            return 0  # pytest warns: cannot collect test class because it has a __init__/__new__
        marks = [*outer_marks, *self._class_marks(node)]
        class_fixtures = [_fixtures(members.values(), is_method=True), *outer_fixtures]
        total = 0
        for name, member in members.items():
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if matches_prefix_or_glob(name, self.config.python_functions) and self._is_test_callable(member):
                    total += self._count_function(member, marks, class_fixtures=class_fixtures, is_method=True)
            elif isinstance(member, ast.ClassDef):
                total += self._count_class(member, marks, outer_fixtures=class_fixtures)
            elif (
                isinstance(member, ast.Assign)
                and not isinstance(member.value, ast.Constant)
                and matches_prefix_or_glob(name, self.config.python_functions)
            ):
                self.tally.unsure(f"`{node.name}.{name}` is assigned, not defined")
        return total

    def _class_kind(self, node: ast.ClassDef, depth: int = 0) -> str | None:
        """"unittest", "pytest" or None (not collected)."""
        if self._is_unittest(node, depth):
            return "unittest"
        if matches_prefix_or_glob(node.name, self.config.python_classes) or self._dunder_test_on(node) is True:
            return "pytest"
        return None

    def _is_unittest(self, node: ast.ClassDef, depth: int = 0) -> bool:
        if depth > 20:
            return False
        for base in node.bases:
            name = dotted_name(base) or ""
            if name in ("unittest.TestCase", "unittest.IsolatedAsyncioTestCase") or name in self.unittest_names:
                return True
            local = self.classes.get(name)
            if local is not None and local is not node:
                if self._is_unittest(local, depth + 1):
                    return True
            elif name.split(".")[-1].endswith("TestCase") and name not in self.classes:
                self.tally.unsure(f"`{node.name}` subclasses `{name}`, taken for a unittest.TestCase")
                return True
        return False

    def _class_flag(self, node: ast.ClassDef) -> bool | None:
        for klass in self._mro(node):
            flag = self._dunder_test_on(klass)
            if flag is not None:
                return flag
        return None

    def _mro(self, node: ast.ClassDef) -> list[ast.ClassDef]:
        order: list[ast.ClassDef] = []

        def visit(klass: ast.ClassDef, depth: int) -> None:
            if klass in order or depth > 20:
                return
            order.append(klass)
            for base in klass.bases:
                local = self.classes.get(dotted_name(base) or "")
                if local is not None:
                    visit(local, depth + 1)

        visit(node, 0)
        return order

    def _class_members(self, node: ast.ClassDef) -> tuple[dict[str, ast.AST], list[str]]:
        """Names bound in the class and its in-module bases, nearest first; and the bases defined elsewhere."""
        members: dict[str, ast.AST] = {}
        unknown: list[str] = []
        for klass in self._mro(node):
            for name, member in _bindings(klass.body).items():
                members.setdefault(name, member)
            for base in klass.bases:
                name = dotted_name(base) or ""
                if isinstance(base, ast.Subscript):
                    name = dotted_name(base.value) or ""
                if name in self.classes or name in NEUTRAL_BASES:
                    continue
                if name in ("unittest.TestCase", "unittest.IsolatedAsyncioTestCase") or name in self.unittest_names:
                    continue
                unknown.append(name or ast.unparse(base))
        return members, unknown

    def _is_abstract(self, node: ast.ClassDef, members: Mapping[str, ast.AST]) -> bool:
        abstract_base = any(
            (dotted_name(b) or "") in ("ABC", "abc.ABC") for k in self._mro(node) for b in k.bases
        ) or any(k.arg == "metaclass" and (dotted_name(k.value) or "").endswith("ABCMeta") for k in node.keywords)
        if not abstract_base:
            return False
        return any(
            isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
            and any(n.split(".")[-1] == "abstractmethod" for n in _decorator_names(m))
            for m in members.values()
        )

    def _class_marks(self, node: ast.ClassDef) -> list[_Mark]:
        marks: list[_Mark] = []
        for klass in reversed(self._mro(node)):
            marks.extend(self._marks_of_decorators(klass.decorator_list))
            if "pytestmark" in (body := _bindings(klass.body)):
                marks.extend(self._marks_of_value(body["pytestmark"]))
        return marks

    def _count_unittest(self, node: ast.ClassDef, members: Mapping[str, ast.AST]) -> int:
        count = 0
        for name, member in members.items():
            if not name.startswith("test"):
                continue
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not any(n.split(".")[-1] in ("property", "cached_property") for n in _decorator_names(member)):
                    count += 1
            elif isinstance(member, ast.Assign):
                self.tally.unsure(f"`{node.name}.{name}` is assigned, not defined")
        if count == 0 and isinstance(members.get("runTest"), (ast.FunctionDef, ast.AsyncFunctionDef)):
            count = 1
        return count


def _is_generator(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A plain `def` whose own body yields (nested functions and lambdas excluded)."""
    if isinstance(node, ast.AsyncFunctionDef):
        return False
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(current))
    return False
