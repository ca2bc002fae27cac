"""Run `pytest --collect-only` in the project's interpreter (cold subprocess) and turn its report into FileStatuses.

`run_collection` drives one or more attempts through a launcher (cold here,
warm in `warm.py`): when a file hangs or kills the process, that file is
marked and the files not yet reported are collected again without it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from importsense.collection.config import PytestConfig, read_pytest_config
from importsense.collection.discovery import default_targets, discover_test_files
from importsense.collection.events import (
    AttemptReport,
    conftest_in_trace,
    error_for,
    error_from_trace,
    file_status,
    is_under,
    read_report,
    real,
)
from importsense.collection.results import (
    CancelToken,
    CollectionError,
    CollectionResult,
    FileStatus,
    Mode,
)

PLUGIN_FILE = "_importsense_collect_plugin.py"
WORKER_FILE = "_importsense_collect_worker.py"
USAGE_ERROR = 4
MAX_ATTEMPTS = 5
POLL_SECONDS = 0.02
KILL_GRACE_SECONDS = 0.3


@dataclass(frozen=True)
class LaunchOutcome:
    """How one pytest process ended."""

    exit_code: int | None
    timed_out: bool = False
    cancelled: bool = False
    output: str = ""
    failure: str | None = None  # the process could not be started at all


# launch(args, report, trace, log, timeout, cancel) -> LaunchOutcome
Launcher = Callable[[list[str], Path, Path, Path, float, CancelToken | None], LaunchOutcome]


def install_scripts(directory: Path) -> Path:
    """Copy the worker and the plugin into `directory` (stdlib-only, so the user's interpreter needs nothing)."""
    here = Path(__file__).parent
    shutil.copyfile(here / "plugin.py", directory / PLUGIN_FILE)
    worker = directory / WORKER_FILE
    shutil.copyfile(here / "worker.py", worker)
    return worker


# ---------------------------------------------------------------------------
# cold launcher
# ---------------------------------------------------------------------------


def collect(
    root: Path,
    python: str,
    files: Sequence[Path] | None = None,
    *,
    timeout: float = 60.0,
    cancel: CancelToken | None = None,
    config: PytestConfig | None = None,
) -> CollectionResult:
    """Collect `files` (test files or directories; None: what pytest collects by itself) in a fresh subprocess."""
    root = Path(os.path.abspath(root))
    with tempfile.TemporaryDirectory(prefix="importsense-collect-") as tmp:
        workdir = Path(tmp)
        worker = install_scripts(workdir)

        def launch(args: list[str], report: Path, trace: Path, log: Path, limit: float, stop: CancelToken | None) -> LaunchOutcome:
            command = [python, str(worker), "run", str(report), str(trace), "--", *args]
            return run_process(command, root, log, limit, stop)

        return run_collection(launch, root, files, timeout=timeout, cancel=cancel, workdir=workdir, mode="cold", config=config)


def run_process(command: list[str], cwd: Path, log: Path, timeout: float, cancel: CancelToken | None) -> LaunchOutcome:
    """Run `command` in its own process group, output to `log`; kill the whole group on timeout or cancel."""
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    try:
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                command,
                cwd=str(cwd),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=(os.name == "posix"),
            )
    except OSError as exc:
        return LaunchOutcome(None, failure=f"cannot run {command[0]}: {exc}")
    timed_out, cancelled = wait_for(proc.poll, timeout, cancel)
    if timed_out or cancelled:
        kill_group(proc.pid, lambda: proc.poll() is not None)
        proc.wait()
    return LaunchOutcome(proc.returncode, timed_out, cancelled, tail(log))


def wait_for(done: Callable[[], object], timeout: float, cancel: CancelToken | None) -> tuple[bool, bool]:
    """Poll `done()` until it returns non-None; (timed_out, cancelled)."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while done() is None:
        if cancel is not None and cancel.is_set():
            return False, True
        if time.monotonic() >= deadline:
            return True, False
        if cancel is not None:
            cancel.wait(delay)
        else:
            time.sleep(delay)
        delay = min(delay * 2, POLL_SECONDS)
    return False, False


def kill_group(pid: int, exited: Callable[[], bool]) -> None:
    """SIGTERM the process group (the worker dumps its stack), then SIGKILL it."""
    if os.name != "posix":  # pragma: no cover - Windows
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        try:  # not (yet) a group leader: signal the process itself
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        return
    deadline = time.monotonic() + KILL_GRACE_SECONDS
    while time.monotonic() < deadline and not exited():
        time.sleep(0.01)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def tail(log: Path, limit: int = 4000) -> str:
    try:
        with open(log, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


# ---------------------------------------------------------------------------
# attempts -> CollectionResult
# ---------------------------------------------------------------------------


class _Accumulator:
    """Merges attempt reports; paths are re-based from pytest's real paths onto `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = real(root)
        self.statuses: dict[Path, FileStatus] = {}
        self.dir_errors: dict[Path, CollectionError] = {}
        self.blocked: list[Path] = []  # culprits and failed dirs, never collected again

    def local(self, path: Path) -> Path:
        if is_under(path, self.real_root) and not is_under(path, self.root):
            return self.root / path.relative_to(self.real_root)
        return path

    def add(self, report: AttemptReport) -> None:
        files = {self.local(p): v for p, v in report.files.items()}
        errors = {self.local(p): e for p, e in report.file_errors.items()}
        for path in sorted(set(files) | set(errors)):
            error = error_for(errors[path], path, self.root) if path in errors else None
            self.statuses[path] = file_status(path, files, error)
        for directory, raw in report.dir_errors.items():
            where = self.local(directory)
            self.dir_errors.setdefault(where, error_for(raw, None, self.root))
            self.blocked.append(where)

    def fail(self, path: Path, error: CollectionError) -> None:
        self.statuses[path] = FileStatus(path, "error", 0, error=error, source="pytest")
        self.blocked.append(path)

    def settled(self, path: Path) -> bool:
        return path in self.statuses or any(is_under(path, b) for b in self.blocked)


def run_collection(
    launch: Launcher,
    root: Path,
    targets: Sequence[Path] | None,
    *,
    timeout: float,
    cancel: CancelToken | None,
    workdir: Path,
    mode: Mode,
    config: PytestConfig | None = None,
) -> CollectionResult:
    """Collect `targets` through `launch`, retrying around files that hang or crash the process."""
    started = time.monotonic()
    root = Path(os.path.abspath(root))
    result = CollectionResult(mode=mode)
    explicit: list[Path] | None = None
    if targets is not None:
        explicit = []
        for target in targets:
            path = Path(os.path.abspath(root / target))
            if path.is_dir() or (path.is_file() and path.suffix == ".py"):
                explicit.append(path)
            else:
                result.problems.append(f"not a Python file or directory, skipped: {path}")
        if not explicit:
            result.duration = time.monotonic() - started
            return result
    acc = _Accumulator(root)
    get_config = _lazy(lambda: config or read_pytest_config(root))
    for attempt in range(MAX_ATTEMPTS):
        args = _attempt_args(root, explicit, acc, first=(attempt == 0))
        if args is None:
            break
        report_path = workdir / f"report-{attempt}.jsonl"
        trace_path = workdir / f"trace-{attempt}.txt"
        log_path = workdir / f"log-{attempt}.txt"
        for stale in (report_path, trace_path, log_path):
            stale.unlink(missing_ok=True)
        outcome = launch(args, report_path, trace_path, log_path, timeout, cancel)
        report = read_report(report_path)
        before = len(acc.statuses) + len(acc.dir_errors)
        acc.add(report)
        progress = len(acc.statuses) + len(acc.dir_errors) > before
        if outcome.cancelled:
            result.cancelled = True
            break
        if outcome.failure is not None:
            result.problems.append(outcome.failure)
            _fail_remaining(acc, explicit, get_config, CollectionError("PytestError", outcome.failure))
            break
        if report.finished and outcome.exit_code != USAGE_ERROR:
            break
        trace_text = _read(trace_path)
        culprit = report.in_progress
        if culprit is None and outcome.timed_out:
            # Hung before collecting anything: a conftest.py loaded at start-up, if the stack says so.
            hung_in = conftest_in_trace(trace_text)
            culprit = (hung_in, "dir") if hung_in is not None else None
        if outcome.timed_out:
            message = f"collection did not finish within {timeout:g} s"
            result.problems.append(f"pytest timed out after {timeout:g} s" + (f" in {culprit[0]}" if culprit else ""))
            error_type = "Timeout"
        elif report.finished:
            message, error_type = _last_words(outcome.output) or "pytest stopped with a usage error", "UsageError"
        else:
            message = _exit_message(outcome.exit_code, outcome.output, during=culprit is not None)
            error_type = "ProcessExit" if report.collected else "PytestError"
            where = f" while collecting {culprit[0]}" if culprit else ""
            result.problems.append(f"pytest's process ended with code {outcome.exit_code}{where}")
        if culprit is not None:
            path, kind = acc.local(culprit[0]), culprit[1]
            test_file = path if kind == "file" else None
            error = error_from_trace(trace_text, error_type, message, test_file, root)
            repeated = path in acc.blocked
            if kind == "file":
                acc.fail(path, error)
            else:
                acc.dir_errors[path] = error
                acc.blocked.append(path)
            if repeated or (kind == "dir" and _loaded_at_start(root, path, explicit, get_config)):
                # Every new run would stop at the same place: give up on what is left.
                _fail_remaining(acc, explicit, get_config, error)
                break
            continue
        if report.finished and progress:
            continue  # usage error after dir errors: retry the files not reached
        _fail_remaining(acc, explicit, get_config, error_from_trace(trace_text, error_type, message, None, root))
        break
    _attribute_dir_errors(acc, explicit, get_config)
    if explicit is not None and not result.cancelled:
        for path in explicit:
            if path.is_file() and path not in acc.statuses:
                acc.statuses[path] = FileStatus(path, "ok", 0, source="pytest")
    result.files = sorted(acc.statuses.values(), key=lambda f: f.path)
    result.duration = time.monotonic() - started
    return result


def _loaded_at_start(root: Path, directory: Path, explicit: list[Path] | None, get_config) -> bool:
    """Whether pytest loads `directory`'s conftest.py at start-up for the next run (so it would hang again)."""
    if explicit is not None:
        return False  # the files below it are dropped from the next run
    for target in default_targets(root, get_config()):
        # pytest loads the conftests of each target, its parents, and its direct `test*` subdirectories
        if is_under(target, directory) or (directory.parent == target and directory.name.startswith("test")):
            return True
    return False


def _attempt_args(root: Path, explicit: list[Path] | None, acc: _Accumulator, *, first: bool) -> list[str] | None:
    """Command-line paths for the next attempt; None when nothing is left to collect."""
    if first:
        return [_show(root, p) for p in explicit] if explicit is not None else []
    ignores = [f"--ignore={real(p)}" for p in sorted(set(acc.blocked) | set(acc.statuses))]
    if explicit is None:
        return ignores
    remaining = [p for p in explicit if not acc.settled(p)]
    if not remaining:
        return None
    return [_show(root, p) for p in remaining] + ignores


def _show(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root)) or "."
    except ValueError:
        return str(path)


def _fail_remaining(acc: _Accumulator, explicit: list[Path] | None, get_config, error: CollectionError) -> None:
    for path in _files_of(acc.root, explicit, get_config):
        if not acc.settled(path):
            acc.statuses[path] = FileStatus(path, "error", 0, error=error, source="pytest")


def _attribute_dir_errors(acc: _Accumulator, explicit: list[Path] | None, get_config) -> None:
    """A directory that failed (its conftest.py) blocks every test file below it."""
    if not acc.dir_errors:
        return
    candidates = _files_of(acc.root, explicit, get_config, within=list(acc.dir_errors))
    for path in candidates:
        if path in acc.statuses:
            continue
        owner = max((d for d in acc.dir_errors if is_under(path, d)), key=lambda d: len(d.parts), default=None)
        if owner is not None:
            acc.statuses[path] = FileStatus(path, "error", 0, error=acc.dir_errors[owner], source="pytest")


def _files_of(root: Path, explicit: list[Path] | None, get_config, within: list[Path] | None = None) -> list[Path]:
    """The test files a run was about: explicit files, and the test files under explicit (or default) dirs."""
    files: list[Path] = []
    if explicit is not None:
        files.extend(p for p in explicit if p.is_file())
        dirs = [p for p in explicit if p.is_dir()]
        if dirs:
            files.extend(discover_test_files(root, get_config(), dirs))
    else:
        files.extend(discover_test_files(root, get_config(), within or None))
    if within is not None:
        files = [f for f in files if any(is_under(f, d) for d in within)]
    return list(dict.fromkeys(files))


def _lazy(factory):
    cache: list = []

    def get():
        if not cache:
            cache.append(factory())
        return cache[0]

    return get


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _last_words(output: str) -> str:
    """The most telling line of pytest's output: the last error line that is not a usage banner."""
    lines = [line.strip() for line in output.splitlines()]
    lines = [line for line in lines if line and not set(line) <= set("=-_! ")]
    errors = [line for line in lines if "error" in line.lower() and "usage:" not in line]
    chosen = errors[-1] if errors else (lines[-1] if lines else "")
    return chosen.replace(WORKER_FILE, "pytest")[:500]


def _exit_message(code: int | None, output: str, *, during: bool) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        ended = f"the process was killed by {name}"
    else:
        ended = f"the process exited with code {code}"
    if during:
        return f"{ended} while collecting this file"
    words = _last_words(output)
    base = f"{ended} before collection finished"
    return f"{base}: {words}" if words else base

