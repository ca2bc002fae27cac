"""The target interpreter: discovery, its sys.path and stdlib names, and a batched find_spec probe, all cached."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable
from pathlib import Path

_QUERY = r"""
import json, sys
names = sorted(getattr(sys, "stdlib_module_names", ()))
print(json.dumps({
    "executable": sys.executable,
    "version": list(sys.version_info[:3]),
    "path": [p for p in sys.path if p],
    "stdlib": names,
    "builtin": sorted(sys.builtin_module_names),
    "prefix": sys.prefix,
}))
"""

_PROBE = r"""
import importlib.util, json, sys
out = {}
for name in json.loads(sys.stdin.read()):
    try:
        spec = importlib.util.find_spec(name)
    except BaseException as error:
        out[name] = "error: %s" % type(error).__name__
        continue
    if spec is None:
        out[name] = None
    else:
        out[name] = spec.origin or "namespace"
print(json.dumps(out))
"""

# Fallback when the interpreter is older than 3.10 and has no sys.stdlib_module_names.
_FALLBACK_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))


class EnvironmentError_(Exception):
    """The target interpreter cannot be used: missing, not executable, or it failed to answer."""


@dataclass
class Environment:
    """What the target interpreter can import, as far as asking it once can tell."""

    python: str
    version: tuple[int, ...]
    sys_path: tuple[Path, ...]
    stdlib: frozenset[str]
    builtin: frozenset[str]
    problem: str | None = None  # set when the interpreter could not be asked: we then stay quiet on third-party
    _probe_cache: dict[str, str | None] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def is_stdlib(self, top_level: str) -> bool:
        return top_level in self.stdlib or top_level in self.builtin or top_level in ("__future__", "__main__")

    def find_specs(self, names: list[str]) -> dict[str, str | None]:
        """Ask the interpreter which of these top-level names it can import (one call, cached)."""
        with self._lock:
            missing = [n for n in names if n not in self._probe_cache]
            if missing and self.problem is None:
                try:
                    result = subprocess.run(
                        [self.python, "-c", _PROBE], input=json.dumps(missing), capture_output=True,
                        text=True, timeout=30, cwd=os.path.dirname(self.python) or None,
                    )
                    answer = json.loads(result.stdout or "{}")
                except (OSError, subprocess.SubprocessError, ValueError):
                    answer = {n: "error: probe failed" for n in missing}
                for name in missing:
                    self._probe_cache[name] = answer.get(name, "error: no answer")
            return {n: self._probe_cache.get(n, "error: interpreter unavailable") for n in names}


def find_interpreter(root: Path, explicit: str | None = None, configured: str | None = None) -> str:
    """--python, then the config, then $VIRTUAL_ENV, then .venv/ or venv/ in the root, then our own interpreter."""
    for candidate in (explicit, configured):
        if candidate:
            return _interpreter_in(Path(candidate)) or candidate
    virtual_env = os.environ.get("VIRTUAL_ENV")
    if virtual_env:
        found = _interpreter_in(Path(virtual_env))
        if found:
            return found
    for name in (".venv", "venv"):
        found = _interpreter_in(root / name)
        if found:
            return found
    return sys.executable


def _interpreter_in(path: Path) -> str | None:
    """The python executable for a venv directory or an interpreter path."""
    if path.is_dir():
        for relative in ("bin/python", "bin/python3", "Scripts/python.exe"):
            candidate = path / relative
            if candidate.exists():
                return str(candidate)
        return None
    return str(path) if path.exists() else None


def load_environment(python: str, cache_dir: Path | None = None) -> Environment:
    """Ask `python` for its sys.path and stdlib names; cached on disk by interpreter path and mtime."""
    return start_environment_query(python, cache_dir)()


def start_environment_query(python: str, cache_dir: Path | None = None) -> Callable[[], Environment]:
    """Start asking `python` (unless the disk cache answers) and return the call that waits for the answer.

    The interpreter starts at once and answers on the other core while the caller walks the project.
    """
    try:
        stat = os.stat(python)
        key_text = f"{python}:{stat.st_mtime_ns}:{stat.st_size}:{os.environ.get('PYTHONPATH', '')}"
    except OSError:
        unavailable = _unavailable(python, f"interpreter not found: {python}")
        return lambda: unavailable
    cache_file = None
    if cache_dir is not None:
        cache_file = cache_dir / f"env-{hashlib.sha1(key_text.encode()).hexdigest()[:16]}.json"
        try:
            cached = _from_answer(python, json.loads(cache_file.read_text()))
            return lambda: cached
        except (OSError, ValueError, KeyError):
            pass
    try:
        process = subprocess.Popen([python, "-c", _QUERY], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True,
                                   cwd=os.path.dirname(os.path.abspath(python)) or None)
    except (OSError, subprocess.SubprocessError) as error:
        failed = _unavailable(python, f"cannot run {python}: {error}")
        return lambda: failed

    def answer() -> Environment:
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return _unavailable(python, f"{python} did not answer within 30 s")
        if process.returncode != 0:
            return _unavailable(python, f"{python} failed: {stderr.strip()[-300:]}")
        try:
            data = json.loads(stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return _unavailable(python, f"{python} gave an unreadable answer")
        if cache_file is not None:
            try:
                cache_file.parent.mkdir(parents=True, exist_ok=True)
                cache_file.write_text(json.dumps(data))
            except OSError:
                pass
        return _from_answer(python, data)

    return answer


def _from_answer(python: str, answer: dict) -> Environment:
    interpreter_dir = os.path.dirname(os.path.abspath(python))
    paths = tuple(
        Path(p) for p in answer["path"]
        if p and os.path.abspath(p) != interpreter_dir and not p.endswith(".zip")
    )
    stdlib = frozenset(answer["stdlib"]) or _FALLBACK_STDLIB
    return Environment(
        python=python,
        version=tuple(answer["version"]),
        sys_path=paths,
        stdlib=stdlib,
        builtin=frozenset(answer["builtin"]),
    )


def _unavailable(python: str, problem: str) -> Environment:
    """An environment that knows only the stdlib of the interpreter running importsense."""
    return Environment(
        python=python,
        version=tuple(sys.version_info[:3]),
        sys_path=(),
        stdlib=_FALLBACK_STDLIB,
        builtin=frozenset(sys.builtin_module_names),
        problem=problem,
    )
