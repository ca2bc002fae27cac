"""Shared benchmark helpers: timed child processes with peak memory, peer tool discovery, cached projects, tables."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / ".work"  # gitignored: generated projects, npm peers, caches, outputs
NPM_PREFIX = WORK_DIR / "npm"

sys.path.insert(0, str(BENCH_DIR))
import generate

# ---------------------------------------------------------------------------
# Measuring a child process
# ---------------------------------------------------------------------------


@dataclass
class Measurement:
    """One timed run of a command: wall seconds, peak memory and how it ended."""

    label: str
    command: list[str]
    seconds: float = 0.0
    peak_rss_mb: float = 0.0  # max of the child's ru_maxrss and the sampled RSS sum of its process tree
    returncode: int | None = None
    stdout_path: Path | None = None
    stderr_tail: str = ""
    error: str | None = None  # set when the tool could not run or was killed (timeout)
    ok_returncodes: tuple[int, ...] | None = (0,)  # None: any exit code counts as having run

    @property
    def ok(self) -> bool:
        if self.error:
            return False
        return self.ok_returncodes is None or self.returncode in self.ok_returncodes

    def stdout(self) -> str:
        if self.stdout_path is None or not self.stdout_path.exists():
            return ""
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def failure(self) -> str:
        """A one-line reason when not ok, else ''."""
        if self.error:
            return self.error
        if not self.ok:
            tail = self.stderr_tail.strip().splitlines()
            last = tail[-1] if tail else "(no stderr)"
            return f"exit code {self.returncode}: {last[:200]}"
        return ""


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: split after the last ')'
        fields = data[data.rfind(b")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(entry.name))
    return kids


def process_tree(pid: int) -> list[int]:
    """`pid` and all its live descendants."""
    kids = _children_map()
    out, stack = [], [pid]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(kids.get(current, []))
    return out


def status_kb(pid: int, key: str) -> int:
    """A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_kb(pid: int, key: str) -> int:
    """Sum of `key` over `pid` and its descendants (VmHWM sums each process's own peak)."""
    return sum(status_kb(p, key) for p in process_tree(pid))


class RssSampler:
    """Samples the summed VmRSS of a process tree in a thread; `peak_kb` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, tree_kb(self.pid, "VmRSS"))
            self._stop.wait(self.interval)


_LAUNCHER = r"""
import os, sys
rss_path, command = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    except OSError as error:
        sys.stderr.write("could not start: %s\n" % error)
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(rss_path, "w") as handle:
    handle.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


def run_measured(
    label: str,
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 1800.0,
    stdout_path: Path | None = None,
    ok_returncodes: tuple[int, ...] | None = (0,),
) -> Measurement:
    """Run `command`, timing it and reading the child's peak RSS from os.wait4's rusage.

    stdout goes to `stdout_path` (a file, so huge outputs cannot block the child), stderr is kept
    to its last 4 kB. A tool that is missing, crashes or times out comes back with `error` set
    instead of raising, so one broken tool never stops a benchmark run.
    """
    result = Measurement(label, list(command), stdout_path=stdout_path, ok_returncodes=ok_returncodes)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    out_path = stdout_path or WORK_DIR / f"out-{os.getpid()}.txt"
    err_path = WORK_DIR / f"err-{os.getpid()}-{threading.get_ident()}.txt"
    try:
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            started = time.perf_counter()
            try:
                if shutil.which(command[0]) is None and not os.path.exists(command[0]):
                    raise FileNotFoundError(command[0])
                rss_path = WORK_DIR / f"rss-{os.getpid()}-{threading.get_ident()}.txt"
                proc = subprocess.Popen(
                    [sys.executable, "-S", "-c", _LAUNCHER, str(rss_path), *command], cwd=cwd, env=env,
                    stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True,
                )
            except OSError as error:
                result.error = f"could not start: {error}"
                return result
            timed_out = threading.Event()

            def kill() -> None:
                timed_out.set()
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

            timer = threading.Timer(timeout, kill)
            timer.start()
            with RssSampler(proc.pid) as sampler:
                _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - started
            timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        result.seconds = elapsed
        result.returncode = proc.returncode
        try:
            launched_kb = int(rss_path.read_text() or 0)  # the tool's own ru_maxrss, measured by the launcher
        except (OSError, ValueError):
            launched_kb = 0
        rss_path.unlink(missing_ok=True)
        # Linux carries a process's pre-exec peak (here: this benchmark's own size, inherited by fork)
        # into ru_maxrss, so the launcher's wait4 of a child forked from a small process is read instead.
        result.peak_rss_mb = max(launched_kb, sampler.peak_kb) / 1024.0
        if proc.returncode == 127 and "could not start" in err_path.read_text(errors="replace"):
            result.error = "could not start: " + err_path.read_text(errors="replace").strip()[-300:]
        result.stderr_tail = err_path.read_bytes()[-4096:].decode("utf-8", errors="replace")
        if timed_out.is_set():
            result.error = f"timed out after {timeout:.0f}s"
        elif proc.returncode < 0:
            result.error = f"killed by signal {-proc.returncode}"
    finally:
        err_path.unlink(missing_ok=True)
        if stdout_path is None:
            out_path.unlink(missing_ok=True)
    return result


# ---------------------------------------------------------------------------
# Peers
# ---------------------------------------------------------------------------


def find_tool(name: str) -> str | None:
    """A peer executable on PATH, else from the bench's own npm prefix (pyright)."""
    found = shutil.which(name)
    if found:
        return found
    local = NPM_PREFIX / "node_modules" / ".bin" / name
    return str(local) if local.exists() else None


def install_pyright() -> str | None:
    """`npm install --prefix bench/.work/npm pyright` when npm exists; the pyright path or None."""
    if find_tool("pyright"):
        return find_tool("pyright")
    npm = shutil.which("npm")
    if not npm:
        print("npm not found: cannot install pyright", file=sys.stderr)
        return None
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    print(f"installing pyright into {NPM_PREFIX} ...", file=sys.stderr)
    proc = subprocess.run([npm, "install", "--prefix", str(NPM_PREFIX), "pyright"], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"npm install pyright failed: {proc.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    return find_tool("pyright")


def tool_version(path: str, *args: str) -> str:
    try:
        proc = subprocess.run([path, *(args or ("--version",))], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if (proc.stdout or proc.stderr).strip() else "?"


def importsense_command() -> list[str]:
    """How to start importsense: this interpreter's `-m importsense`, with its bytecode compiled."""
    ensure_bytecode()
    return [sys.executable, "-m", "importsense"]


def ensure_bytecode() -> None:
    """Compile importsense's .pyc files, as a regular `pip install` does.

    An editable install under PYTHONDONTWRITEBYTECODE=1 (this machine sets it) never writes them,
    so every start would re-compile importsense (~0.2 s) while the peers start from compiled code.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("importsense")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            compileall.compile_dir(location, quiet=1)


def importsense_available() -> tuple[bool, str]:
    """Whether `python -m importsense check --help` works, and why not when it does not."""
    try:
        proc = subprocess.run([*importsense_command(), "check", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, str(error)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()
        return False, tail[-1] if tail else f"exit code {proc.returncode}"
    return True, ""


# ---------------------------------------------------------------------------
# Cached synthetic projects
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectParams:
    """What a generated project depends on; also its cache key."""

    modules: int = 5000
    test_files: int = 2000
    lines: int = 500_000
    seed: int = 0

    def key(self, kind: str) -> str:
        return f"{kind}-m{self.modules}-t{self.test_files}-l{self.lines}-s{self.seed}-v{generate.GENERATOR_VERSION}"

    def scaled(self, factor: float) -> ProjectParams:
        return ProjectParams(max(20, int(self.modules * factor)), max(2, int(self.test_files * factor)),
                             max(2000, int(self.lines * factor)), self.seed)


def cached_project(params: ProjectParams, kind: str = "check") -> tuple[generate.GeneratedProject, bool]:
    """The project for `params` under bench/.work/projects/<key>/, generated when absent; (project, reused)."""
    home = WORK_DIR / "projects" / params.key(kind)
    manifest = home / "manifest.json"
    if manifest.exists():
        project = generate.GeneratedProject.from_json(json.loads(manifest.read_text(encoding="utf-8")))
        if project.root.is_dir():
            return project, True
    if home.exists():
        shutil.rmtree(home)
    project = generate.generate_project(home / "project", modules=params.modules, test_files=params.test_files,
                                        target_lines=params.lines, seed=params.seed)
    manifest.write_text(json.dumps(project.to_json(), indent=1), encoding="utf-8")
    return project, False


def save_manifest(project: generate.GeneratedProject, params: ProjectParams, kind: str) -> None:
    manifest = WORK_DIR / "projects" / params.key(kind) / "manifest.json"
    manifest.write_text(json.dumps(project.to_json(), indent=1), encoding="utf-8")


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table; numbers right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    numeric = [bool(cells) and all(_looks_numeric(r[i]) for r in cells) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "| " + " | ".join(parts) + " |"

    sep = "| " + " | ".join(("-" * (w - 1) + ":") if num else "-" * w for w, num in zip(widths, numeric)) + " |"
    return "\n".join([line(list(headers)), sep, *(line(r) for r in cells)])


def _looks_numeric(text: str) -> bool:
    stripped = text.rstrip("x%").replace(",", "")
    if stripped in ("", "-", "n/a"):
        return True
    try:
        float(stripped)
    except ValueError:
        return False
    return True


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (p50, p95) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(round(pct / 100.0 * len(ordered) + 0.4999))))
    return ordered[rank - 1]


@dataclass
class Target:
    """One performance target and whether it was met."""

    name: str
    passed: bool | None  # None: could not be measured
    detail: str

    def render(self) -> str:
        word = "PASS" if self.passed else ("FAIL" if self.passed is False else "FAIL (not measured)")
        return f"{word}  {self.name}: {self.detail}"


def machine_summary() -> str:
    cpus = os.cpu_count() or 0
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            kb = int(handle.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpus} CPUs{mem}, Python {sys.version.split()[0]}"


@dataclass
class Results:
    """Everything a bench script measured, for --json."""

    data: dict[str, object] = field(default_factory=dict)

    def write(self, path: Path | None) -> None:
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(self.data, indent=1, default=str), encoding="utf-8")
