"""A warm collector: one long-lived process of the project's interpreter that forks a fresh child per request."""

from __future__ import annotations

import ast
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from importsense.collection.config import PytestConfig, read_pytest_config
from importsense.collection.discovery import discover_test_files
from importsense.collection.results import CollectionResult
from importsense.collection.runner import (
    LaunchOutcome,
    install_scripts,
    kill_group,
    run_collection,
    tail,
)
from importsense.collection.runner import (
    collect as cold_collect,
)

START_TIMEOUT = 120.0
SERVER_GRACE = 5.0
_EOF = {"op": "eof"}


class WarmCollectorError(RuntimeError):
    """The warm server could not be started."""


class WarmCollector:
    """Serves collections from a process that has already imported pytest, its plugins and third-party modules.

    Each request runs in a fresh `os.fork()` of that process, so first-party code
    is imported anew every time while start-up costs are paid once. Thread-safe:
    one collection runs at a time; `collect(..., supersede=True)` or
    `cancel_current()` stops the running one (e.g. when a newer edit arrives).
    Where `os.fork` is missing, every request falls back to a cold subprocess.
    """

    def __init__(self) -> None:
        self.python: str | None = None
        self.root: Path | None = None
        self.config: PytestConfig | None = None
        self.preloaded: list[str] = []
        self.problems: list[str] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._messages: queue.Queue[dict] = queue.Queue()
        self._tmp: Path | None = None
        self._lock = threading.Lock()  # one collection at a time
        self._state_lock = threading.Lock()
        self._current_cancel: threading.Event | None = None

    # -- lifecycle --------------------------------------------------------
    @property
    def forking(self) -> bool:
        return hasattr(os, "fork")

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, python: str, root: Path, *, preload: Sequence[str] | None = None, config: PytestConfig | None = None) -> None:
        """Start the server in `root` with `python`; pre-import `preload` (default: third-party imports of conftests and tests)."""
        self.python = python
        self.root = Path(os.path.abspath(root))
        self.config = config or read_pytest_config(self.root)
        if not self.forking:
            return
        self._tmp = Path(tempfile.mkdtemp(prefix="importsense-warm-"))
        worker = install_scripts(self._tmp)
        try:
            with open(self._tmp / "server.log", "wb") as log:
                self._proc = subprocess.Popen(
                    [python, str(worker), "serve"],
                    cwd=str(self.root),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    start_new_session=True,
                )
        except OSError as exc:
            raise WarmCollectorError(f"cannot run {python}: {exc}") from exc
        self._messages = queue.Queue()
        threading.Thread(target=_read_messages, args=(self._proc.stdout, self._messages), daemon=True).start()
        ready = self._await({"ready", "failed"}, time.monotonic() + START_TIMEOUT, None)
        if not isinstance(ready, dict) or ready.get("op") != "ready":
            detail = ready.get("error") if isinstance(ready, dict) else ready
            output = tail(self._tmp / "server.log")
            self.close()
            raise WarmCollectorError(f"warm collector did not start: {detail or ''} {output}".strip())
        modules = list(preload) if preload is not None else preload_candidates(self.root, self.config)
        if modules:
            self._send({"op": "preload", "modules": modules, "root": str(self.root)})
            answer = self._await({"preloaded"}, time.monotonic() + START_TIMEOUT, None)
            if isinstance(answer, dict):
                self.preloaded = list(answer.get("imported", []))

    def close(self) -> None:
        """Stop the server and its children; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.write(b'{"op": "quit"}\n')
                    proc.stdin.flush()
                    proc.stdin.close()
            except OSError:
                pass
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                kill_group(proc.pid, lambda: proc.poll() is not None)
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def restart(self) -> None:
        """Start afresh (after dependencies or conftest imports changed)."""
        python, root = self.python, self.root
        self.close()
        if python is not None and root is not None:
            self.start(python, root, config=None)

    def __enter__(self) -> WarmCollector:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ---------------------------------------------------------
    def cancel_current(self) -> None:
        """Stop the collection that is running now, if any."""
        with self._state_lock:
            if self._current_cancel is not None:
                self._current_cancel.set()

    def collect(
        self,
        files: Sequence[Path] | None,
        timeout: float = 60.0,
        cancel: threading.Event | None = None,
        *,
        supersede: bool = False,
    ) -> CollectionResult:
        """Collect `files` (None: what pytest collects by itself) in a fresh fork of the warm process."""
        if self.root is None or self.python is None:
            raise WarmCollectorError("WarmCollector.start() was not called")
        if supersede:
            self.cancel_current()
        mine = threading.Event()
        with self._lock:
            with self._state_lock:
                self._current_cancel = mine
            try:
                stop = _AnyEvent(mine, cancel)
                if not self.forking:
                    return cold_collect(self.root, self.python, files, timeout=timeout, cancel=stop, config=self.config)
                if not self.alive:
                    self.close()
                    self.start(self.python, self.root, config=self.config)
                workdir = Path(tempfile.mkdtemp(prefix="request-", dir=self._tmp))
                try:
                    result = run_collection(
                        self._launch, self.root, files, timeout=timeout, cancel=stop,
                        workdir=workdir, mode="warm", config=self.config,
                    )
                finally:
                    shutil.rmtree(workdir, ignore_errors=True)
                return result
            finally:
                with self._state_lock:
                    self._current_cancel = None

    def server_modules(self) -> list[str]:
        """Names in the server's sys.modules (to check it stays free of first-party code)."""
        with self._lock:
            if not self.alive:
                return []
            self._send({"op": "modules"})
            answer = self._await({"modules"}, time.monotonic() + 10.0, None)
            return list(answer.get("modules", [])) if isinstance(answer, dict) else []

    def _launch(self, args: list[str], report: Path, trace: Path, log: Path, timeout: float, cancel) -> LaunchOutcome:
        if not self.alive:
            return LaunchOutcome(None, failure="the warm collector process is not running")
        self._send({
            "op": "collect", "args": args, "report": str(report), "trace": str(trace), "log": str(log),
            "deadline": timeout + SERVER_GRACE,  # the server's own limit, should this process go away
        })
        started = self._await({"started"}, time.monotonic() + 30.0, None)
        if not isinstance(started, dict) or started.get("op") != "started":
            return LaunchOutcome(None, failure="the warm collector process stopped answering")
        pid = int(started["pid"])
        answer = self._await({"exited"}, time.monotonic() + timeout, cancel)
        if isinstance(answer, dict) and answer.get("op") == "exited":
            return LaunchOutcome(int(answer["code"]), output=tail(log))
        kill_group(pid, lambda: _pid_gone(pid))
        final = self._await({"exited"}, time.monotonic() + 10.0, None)
        if not (isinstance(final, dict) and final.get("op") == "exited"):
            return LaunchOutcome(None, failure="the warm collector process stopped answering")
        return LaunchOutcome(int(final["code"]), timed_out=(answer == "timeout"), cancelled=(answer == "cancel"), output=tail(log))

    def _send(self, message: dict) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:
            return
        try:
            proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            proc.stdin.flush()
        except OSError:
            pass

    def _await(self, ops: set[str], deadline: float, cancel) -> dict | str:
        """The next message whose op is in `ops`; "timeout", "cancel" or "eof" otherwise."""
        while True:
            if cancel is not None and cancel.is_set():
                return "cancel"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            try:
                message = self._messages.get(timeout=min(remaining, 0.02))
            except queue.Empty:
                continue
            if message is _EOF:
                self._messages.put(_EOF)
                return "eof"
            if message.get("op") in ops:
                return message


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


class _AnyEvent:
    """Looks like a threading.Event that is set when any of its events is."""

    def __init__(self, *events: threading.Event | None) -> None:
        self.events = [e for e in events if e is not None]

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)

    def set(self) -> None:
        self.events[0].set()

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True


def _read_messages(stream: IO[bytes] | None, messages: queue.Queue) -> None:
    if stream is None:
        messages.put(_EOF)
        return
    try:
        for line in stream:
            try:
                messages.put(json.loads(line))
            except ValueError:
                continue
    except (OSError, ValueError):
        pass
    messages.put(_EOF)


# ---------------------------------------------------------------------------
# what to pre-import
# ---------------------------------------------------------------------------


def preload_candidates(root: Path, config: PytestConfig | None = None, files: Iterable[Path] | None = None) -> list[str]:
    """Modules imported at the top of conftest.py files and test files that do not live in the project.

    The worker checks each again with `find_spec` and skips anything that
    resolves inside the project root, so the server stays free of first-party code.
    """
    root = Path(os.path.abspath(root))
    config = config or read_pytest_config(root)
    sources: list[Path] = list(files) if files is not None else discover_test_files(root, config)
    conftests: set[Path] = set()
    for path in sources:
        for base in path.parents:
            if base != root and root not in base.parents:
                break
            candidate = base / "conftest.py"
            if candidate.is_file():
                conftests.add(candidate)
    local_roots = [root, root / "src", *config.pythonpath]
    names: set[str] = set()
    for path in [*sorted(conftests), *sources]:
        names.update(_top_level_imports(path))
    local_roots.extend(sorted({f.parent for f in sources}))  # prepend import mode puts test dirs on sys.path
    return sorted(n for n in names if not _looks_local(n, local_roots))


def _top_level_imports(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_bytes(), str(path))
    except (OSError, SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, (ast.If, ast.Try)):
            stack.extend(node.body)
            stack.extend(node.orelse)
            if isinstance(node, ast.Try):
                for handler in node.handlers:
                    stack.extend(handler.body)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets):
            value = node.value
            items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
            names.update(e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str))
    names.discard("__future__")
    return names


def _looks_local(module: str, roots: Sequence[Path]) -> bool:
    top = module.split(".")[0]
    return any((base / f"{top}.py").exists() or (base / top).is_dir() for base in roots)
