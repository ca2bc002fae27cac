"""Read pytest's own configuration the way pytest does: rootdir, inifile, and the collection options."""

from __future__ import annotations

import configparser
import os
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_NAMES = ("pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")

DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
DEFAULT_PYTHON_CLASSES = ("Test",)
DEFAULT_PYTHON_FUNCTIONS = ("test",)
DEFAULT_NORECURSEDIRS = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")


@dataclass(frozen=True)
class PytestConfig:
    """The collection-relevant part of a project's pytest configuration.

    `invocation_dir` is where pytest runs (the project root); `testpaths` are
    only used by pytest when it runs from `rootdir` itself, like here.
    """

    rootdir: Path
    invocation_dir: Path
    inipath: Path | None = None
    testpaths: tuple[str, ...] = ()
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    python_classes: tuple[str, ...] = DEFAULT_PYTHON_CLASSES
    python_functions: tuple[str, ...] = DEFAULT_PYTHON_FUNCTIONS
    norecursedirs: tuple[str, ...] = DEFAULT_NORECURSEDIRS
    pythonpath: tuple[Path, ...] = ()
    addopts: tuple[str, ...] = ()
    import_mode: str = "prepend"
    ignore: tuple[Path, ...] = ()
    ignore_glob: tuple[str, ...] = ()
    confcutdir: Path | None = None
    collect_imported_tests: bool = True
    collect_in_virtualenv: bool = False
    doctest_modules: bool = False
    noconftest: bool = False
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def conftest_cutoff(self) -> Path:
        """Directory above which pytest does not look for conftest.py files."""
        if self.confcutdir is not None:
            return self.confcutdir
        return self.inipath.parent if self.inipath is not None else self.rootdir

    def to_json(self, root: Path | None = None) -> dict[str, Any]:
        def show(path: Path | None) -> str | None:
            if path is None:
                return None
            if root is not None:
                try:
                    return path.relative_to(root).as_posix() or "."
                except ValueError:
                    pass
            return path.as_posix()

        return {
            "rootdir": show(self.rootdir),
            "inifile": show(self.inipath),
            "testpaths": list(self.testpaths),
            "python_files": list(self.python_files),
            "python_classes": list(self.python_classes),
            "python_functions": list(self.python_functions),
            "norecursedirs": list(self.norecursedirs),
            "pythonpath": [show(p) for p in self.pythonpath],
            "import_mode": self.import_mode,
        }


def read_pytest_config(root: Path, args: Sequence[Path] = ()) -> PytestConfig:
    """Find the inifile and rootdir as `pytest` run in `root` with `args` would, and read its options."""
    invocation_dir = Path(os.path.abspath(root))
    problems: list[str] = []
    rootdir, inipath, values = _determine_setup(invocation_dir, [Path(os.path.abspath(invocation_dir / a)) for a in args], problems)
    return _build_config(rootdir, invocation_dir, inipath, values, problems)


# ---------------------------------------------------------------------------
# rootdir / inifile: a port of _pytest/config/findpaths.py (pytest 9)
# ---------------------------------------------------------------------------


def _determine_setup(invocation_dir: Path, args: list[Path], problems: list[str]) -> tuple[Path, Path | None, dict[str, Any]]:
    dirs = [a if a.is_dir() else a.parent for a in args if a.exists()]
    ancestor = _common_ancestor(invocation_dir, dirs)
    rootdir, inipath, values = _locate_config(invocation_dir, [ancestor], problems)
    if rootdir is None:
        for candidate in (ancestor, *ancestor.parents):
            if (candidate / "setup.py").is_file():
                rootdir = candidate
                break
        else:
            if dirs != [ancestor]:
                rootdir, inipath, values = _locate_config(invocation_dir, dirs, problems)
            if rootdir is None:
                rootdir = _common_ancestor(invocation_dir, [invocation_dir, ancestor])
                if os.path.splitdrive(str(rootdir))[1] == os.sep:
                    rootdir = ancestor
    return rootdir, inipath, values


def _common_ancestor(invocation_dir: Path, paths: Iterable[Path]) -> Path:
    common: Path | None = None
    for path in paths:
        if not path.exists():
            continue
        if common is None:
            common = path
        elif common in path.parents or path == common:
            continue
        elif path in common.parents:
            common = path
        else:
            try:
                common = Path(os.path.commonpath([str(path), str(common)]))
            except ValueError:
                pass
    if common is None:
        return invocation_dir
    return common.parent if common.is_file() else common


def _locate_config(
    invocation_dir: Path, args: list[Path], problems: list[str]
) -> tuple[Path | None, Path | None, dict[str, Any]]:
    found_pyproject: Path | None = None
    for arg in args or [invocation_dir]:
        for base in (arg, *arg.parents):
            for name in CONFIG_NAMES:
                candidate = base / name
                if not candidate.is_file():
                    continue
                if name == "pyproject.toml" and found_pyproject is None:
                    found_pyproject = candidate
                values = load_config_file(candidate, problems)
                if values is not None:
                    return base, candidate, values
    if found_pyproject is not None:
        return found_pyproject.parent, found_pyproject, {}
    return None, None, {}


def load_config_file(path: Path, problems: list[str] | None = None) -> dict[str, Any] | None:
    """pytest options in `path`, or None when the file holds no pytest configuration."""
    problems = problems if problems is not None else []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: {exc}")
        return None
    if path.suffix == ".ini":
        sections = _parse_ini(text, path, problems)
        if "pytest" in sections:
            return dict(sections["pytest"])
        return {} if path.name in ("pytest.ini", ".pytest.ini") else None
    if path.suffix == ".cfg":
        sections = _parse_ini(text, path, problems)
        if "tool:pytest" in sections:
            return dict(sections["tool:pytest"])
        return None
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{path}: {exc}")
            return None
        if path.name in ("pytest.toml", ".pytest.toml"):
            return dict(data.get("pytest", {}) or {})
        tool_pytest = data.get("tool", {}).get("pytest", {})
        if not isinstance(tool_pytest, dict):
            return None
        native = {k: v for k, v in tool_pytest.items() if k != "ini_options"}
        if native:
            return native
        ini_options = tool_pytest.get("ini_options")
        if isinstance(ini_options, dict):
            return {k: v if isinstance(v, list) else str(v) for k, v in ini_options.items()}
    return None


def _parse_ini(text: str, path: Path, problems: list[str]) -> dict[str, dict[str, str]]:
    try:
        import iniconfig  # pytest's own ini parser: same continuation and comment rules
    except ImportError:  # pragma: no cover - iniconfig ships with pytest
        iniconfig = None
    if iniconfig is not None:
        try:
            parsed = iniconfig.IniConfig(str(path), data=text)
        except iniconfig.ParseError as exc:
            problems.append(f"{path}: {exc}")
            return {}
        return {section.name: dict(section.items()) for section in parsed}
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:  # pragma: no cover
        problems.append(f"{path}: {exc}")
        return {}
    return {name: dict(parser[name]) for name in parser.sections()}


# ---------------------------------------------------------------------------
# option values
# ---------------------------------------------------------------------------


def _as_args(value: Any) -> tuple[str, ...]:
    """pytest's "args" ini type: shell-split strings, lists taken as they are."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    try:
        return tuple(shlex.split(str(value)))
    except ValueError:
        return tuple(str(value).split())


def _as_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on", "t"):
        return True
    if text in ("0", "false", "no", "n", "off", "f"):
        return False
    return default


def _build_config(
    rootdir: Path, invocation_dir: Path, inipath: Path | None, values: Mapping[str, Any], problems: list[str]
) -> PytestConfig:
    base = inipath.parent if inipath is not None else rootdir
    addopts = _as_args(values.get("addopts")) + _as_args(os.environ.get("PYTEST_ADDOPTS"))
    options = _scan_addopts(addopts, invocation_dir)

    def globs(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        return _as_args(values[name]) if name in values else default

    return PytestConfig(
        rootdir=rootdir,
        invocation_dir=invocation_dir,
        inipath=inipath,
        testpaths=_as_args(values.get("testpaths")),
        python_files=globs("python_files", DEFAULT_PYTHON_FILES),
        python_classes=globs("python_classes", DEFAULT_PYTHON_CLASSES),
        python_functions=globs("python_functions", DEFAULT_PYTHON_FUNCTIONS),
        norecursedirs=globs("norecursedirs", DEFAULT_NORECURSEDIRS),
        pythonpath=tuple(Path(os.path.normpath(base / p)) for p in _as_args(values.get("pythonpath"))),
        addopts=addopts,
        import_mode=str(options.get("import_mode", "prepend")),
        ignore=tuple(options.get("ignore", ())),
        ignore_glob=tuple(options.get("ignore_glob", ())),
        confcutdir=options.get("confcutdir"),
        collect_imported_tests=_as_bool(values.get("collect_imported_tests"), True),
        collect_in_virtualenv=bool(options.get("collect_in_virtualenv", False)),
        doctest_modules=bool(options.get("doctest_modules", False)),
        noconftest=bool(options.get("noconftest", False)),
        problems=tuple(problems),
    )


def _scan_addopts(addopts: Sequence[str], invocation_dir: Path) -> dict[str, Any]:
    """The few command-line options in `addopts` that change which files are collected."""
    found: dict[str, Any] = {"ignore": [], "ignore_glob": []}
    takes_value = {"--ignore": "ignore", "--ignore-glob": "ignore_glob", "--import-mode": "import_mode", "--confcutdir": "confcutdir"}
    flags = {
        "--collect-in-virtualenv": "collect_in_virtualenv",
        "--doctest-modules": "doctest_modules",
        "--noconftest": "noconftest",
    }
    i = 0
    while i < len(addopts):
        arg = addopts[i]
        name, eq, value = arg.partition("=")
        if name in takes_value:
            if not eq:
                i += 1
                value = addopts[i] if i < len(addopts) else ""
            key = takes_value[name]
            if key in ("ignore",):
                found["ignore"].append(Path(os.path.normpath(invocation_dir / value)))
            elif key == "ignore_glob":
                found["ignore_glob"].append(os.path.normpath(os.path.join(str(invocation_dir), value)))
            elif key == "confcutdir":
                found["confcutdir"] = Path(os.path.normpath(invocation_dir / value))
            else:
                found[key] = value
        elif arg in flags:
            found[flags[arg]] = True
        i += 1
    return found
