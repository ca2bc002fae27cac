"""Settings: `[tool.importsense]` from pyproject.toml plus an editor overlay, validated into one frozen object."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from .model import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

RULES = (
    "relative-import",
    "invalid-relative-import",
    "unresolved-module",
    "missing-name",
    "missing-attribute",
    "invalid-patch-target",
    "syntax-error",
    "collection-error",
)

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git", "pytest.ini", "tox.ini", "pytest.toml")
COLLECTION_MODES = ("off", "onSave", "onOpen")


class ConfigError(Exception):
    """A configuration problem a person can act on: names the file, the key and what was expected."""


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, from pyproject.toml and the editor, validated."""

    root: Path
    roots: tuple[Path, ...] = ()  # configured source roots (absolute); empty = infer
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()  # empty = all rules
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    python: str | None = None
    known_first_party: tuple[str, ...] = ()
    debounce_ms: int = 100
    collection: str = "onSave"
    collection_timeout: float = 60.0
    trusted: bool = False  # only the editor can trust a workspace; collection never runs untrusted
    pyproject: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def rule_enabled(self, rule: str) -> bool:
        if self.select and rule not in self.select:
            return False
        return rule not in self.ignore

    def severity_for(self, rule: str, default: Severity) -> Severity:
        return self.severity.get(rule, default)


def find_project_root(path: Path) -> Path:
    """The nearest directory at or above `path` holding pyproject.toml, setup.cfg, setup.py or .git
    (or a pytest configuration file: pytest.ini, tox.ini, pytest.toml)."""
    start = path.resolve()
    if not start.is_dir():
        start = start.parent
    for candidate in (start, *start.parents):
        if any((candidate / marker).exists() for marker in ROOT_MARKERS):
            return candidate
    return start


def read_pyproject(root: Path) -> dict[str, Any]:
    """The parsed pyproject.toml of `root`, {} when absent; ConfigError when it does not parse."""
    path = root / "pyproject.toml"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def load_settings(root: Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Settings for the project at `root`: pyproject's [tool.importsense], then `overrides` where given."""
    root = root.resolve()
    pyproject = read_pyproject(root)
    table = pyproject.get("tool", {}).get("importsense", {}) if isinstance(pyproject.get("tool"), dict) else {}
    where = f"{root / 'pyproject.toml'}: [tool.importsense]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    settings = Settings(root=root, pyproject=pyproject)
    settings = _apply(settings, table, where, allow_unknown=False)
    if overrides:
        settings = _apply(settings, overrides, "editor settings", allow_unknown=True)
    return settings


_KEYS = {
    "roots", "exclude", "select", "ignore", "severity", "python", "known-first-party",
    "debounce", "collection", "collection-timeout", "trusted",
}


def _apply(settings: Settings, table: Mapping[str, Any], where: str, *, allow_unknown: bool) -> Settings:
    changes: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key == "knownfirstparty":
            key = "known-first-party"
        if key not in _KEYS:
            if allow_unknown:
                continue
            raise ConfigError(f"{where}: unknown key '{raw_key}' (known: {', '.join(sorted(_KEYS))})")
        if value is None:
            continue
        label = f"{where}: '{raw_key}'"
        if key == "roots":
            changes["roots"] = tuple((settings.root / p).resolve() for p in _strings(value, label))
        elif key == "exclude":
            changes["exclude"] = _strings(value, label)
        elif key in ("select", "ignore"):
            names = _strings(value, label)
            unknown = [n for n in names if n not in RULES and n.upper() != "ALL"]
            if unknown:
                raise ConfigError(f"{label}: unknown rule {unknown[0]!r} (rules: {', '.join(RULES)})")
            if key == "select" and any(n.upper() == "ALL" for n in names):
                names = ()
            changes[key] = names
        elif key == "severity":
            if not isinstance(value, Mapping):
                raise ConfigError(f"{label} must be a table of rule = level, got {type(value).__name__}")
            levels: dict[str, Severity] = dict(settings.severity)
            for rule, level in value.items():
                if rule not in RULES:
                    raise ConfigError(f"{label}: unknown rule {rule!r} (rules: {', '.join(RULES)})")
                try:
                    levels[rule] = Severity.parse(str(level)) if isinstance(level, str) else Severity(level)
                except ValueError:
                    raise ConfigError(
                        f"{label}.{rule} must be one of error, warning, information, hint; got {level!r}"
                    ) from None
            changes["severity"] = levels
        elif key == "python":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{label} must be a path string, got {type(value).__name__}")
            path = Path(value).expanduser()
            if not path.is_absolute() and ("/" in value or "\\" in value):
                path = settings.root / path
            changes["python"] = str(path) if ("/" in value or "\\" in value) else value
        elif key == "known-first-party":
            changes["known_first_party"] = _strings(value, label)
        elif key == "debounce":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(f"{label} must be a number of milliseconds >= 0, got {value!r}")
            changes["debounce_ms"] = int(value)
        elif key == "collection":
            if value not in COLLECTION_MODES:
                raise ConfigError(f"{label} must be one of {', '.join(COLLECTION_MODES)}; got {value!r}")
            changes["collection"] = value
        elif key == "collection-timeout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"{label} must be a positive number of seconds, got {value!r}")
            changes["collection_timeout"] = float(value)
        elif key == "trusted":
            if not allow_unknown:
                raise ConfigError(f"{label}: a project cannot trust itself; workspace trust comes from the editor "
                                  "(initializationOptions / settings `trusted`)")
            if not isinstance(value, bool):
                raise ConfigError(f"{label} must be true or false, got {value!r}")
            changes["trusted"] = value
    return replace(settings, **changes)


def _strings(value: Any, label: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{label} must be a list of strings, got {value!r}")
    return tuple(value)
