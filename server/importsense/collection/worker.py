"""Standalone script run by the project's interpreter: one cold `pytest --collect-only`, or a warm forking server.

Copied next to the plugin into a private temp directory and run as a script,
so it imports only the standard library (and pytest once running), and keeps
to Python 3.8 syntax. Its own directory is taken off sys.path before pytest
starts, so first-party imports resolve as they would under the `pytest`
command.

    python worker.py run REPORT TRACE -- PYTEST_ARGS...
        collect once in this process, exit with pytest's exit code.

    python worker.py serve
        pre-import pytest, its plugins and the given third-party modules, then
        serve JSON-line requests on stdin, one at a time:
          {"op": "preload", "modules": [...], "root": "/abs"}
              -> {"op": "preloaded", "imported": [...], "failed": [...], "skipped": [...]}
          {"op": "collect", "args": [...], "report": path, "trace": path, "log": path, "deadline": seconds}
              -> {"op": "started", "pid": N}   (the child is its own process group)
              -> {"op": "exited", "pid": N, "code": C}
          {"op": "modules"} -> {"op": "modules", "modules": [...]}   (what the server has imported)
          {"op": "quit"}
        Each collect request runs in a fresh fork, so first-party modules are
        imported anew every time and the server itself never imports them.
"""

# ruff: noqa: BLE001, SIM115, S110, S112 - it runs user code, which may raise anything; its handles live as long as the process

import json
import os
import sys

PLUGIN_MODULE = "_importsense_collect_plugin"
REPORT_ENV = "IMPORTSENSE_COLLECT_REPORT"
HERE = os.path.dirname(os.path.abspath(__file__))


def _load_plugin():
    """Import the plugin that sits next to this script, then hide this directory from user code."""
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == HERE:
        plugin = __import__(PLUGIN_MODULE)
        del sys.path[0]
    else:  # pragma: no cover - only when run in an unusual way
        sys.path.insert(0, HERE)
        try:
            plugin = __import__(PLUGIN_MODULE)
        finally:
            sys.path.remove(HERE)
    return plugin


def _arm_trace(trace_path):
    """On SIGTERM, dump the Python stack to `trace_path` (so a timeout can say where it hung)."""
    if not trace_path:
        return None
    try:
        import faulthandler
        import signal

        handle = open(trace_path, "w")
        if hasattr(faulthandler, "register") and hasattr(signal, "SIGTERM"):
            faulthandler.register(signal.SIGTERM, file=handle, all_threads=True, chain=False)
        return handle
    except Exception:
        return None


def _collect_args(args):
    # `--maxfail=0` undoes an `-x` from addopts: collection must not stop at the first error.
    return ["--collect-only", "-q", "-p", "no:cacheprovider", "--maxfail=0"] + list(args)


def _import_pytest():
    """pytest, or None after saying why on stderr."""
    try:
        import pytest
    except Exception as exc:
        sys.stderr.write(f"importsense: pytest is not importable in {sys.executable}: {type(exc).__name__}: {exc}\n")
        return None
    return pytest


def run_once(report, trace, args):
    pytest = _import_pytest_hidden()
    if pytest is None:
        return 3
    plugin = _load_plugin()
    os.environ[REPORT_ENV] = report
    _arm_trace(trace)
    return int(pytest.main(_collect_args(args), plugins=[plugin]))


def _import_pytest_hidden():
    """Import pytest as user code would see it: without this script's directory on sys.path."""
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]
    try:
        return _import_pytest()
    finally:
        sys.path[:] = saved


# ---------------------------------------------------------------------------
# warm server
# ---------------------------------------------------------------------------


def _send(out, message):
    out.write((json.dumps(message) + "\n").encode("utf-8"))
    out.flush()


def _is_first_party(spec, root):
    if spec is None:
        return False
    locations = []
    if spec.origin and spec.origin not in ("built-in", "frozen"):
        locations.append(spec.origin)
    locations.extend(spec.submodule_search_locations or [])
    prefixes = tuple(os.path.abspath(p) + os.sep for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
    for location in locations:
        path = os.path.abspath(location)
        parts = path.replace("\\", "/").split("/")
        if "site-packages" in parts or "dist-packages" in parts or path.startswith(prefixes):
            continue
        if path == root or path.startswith(root + os.sep):
            return True
    return False


def preload(modules, root):
    """Import third-party `modules`; skip anything that resolves inside `root` (first-party)."""
    import importlib
    import importlib.util

    root = os.path.realpath(root)
    imported, failed, skipped = [], [], []
    for name in modules:
        top = name.split(".")[0]
        try:
            if top in sys.modules:
                spec = getattr(sys.modules[top], "__spec__", None)
            else:
                spec = importlib.util.find_spec(top)
            if spec is None:
                failed.append(name)
                continue
            if _is_first_party(spec, root):
                skipped.append(name)
                continue
            importlib.import_module(name)
            imported.append(name)
        except BaseException:  # a third-party module may even call sys.exit()
            failed.append(name)
    return imported, failed, skipped


def _third_party_plugins(root):
    """Module names of installed pytest plugins (entry points) that do not live in the project."""
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return []
    import importlib.util

    try:
        from importlib import metadata

        entry_points = metadata.entry_points()
        selected = (
            entry_points.select(group="pytest11") if hasattr(entry_points, "select") else entry_points.get("pytest11", [])
        )
        modules = sorted({ep.value.split(":")[0].strip() for ep in selected})
    except Exception:
        return []
    names = []
    for module in modules:
        try:
            spec = importlib.util.find_spec(module.split(".")[0])
        except Exception:
            continue
        if spec is not None and not _is_first_party(spec, root):
            names.append(module)
    return names


def _warm_pytest(plugin, root):
    """Import pytest and everything a collection session touches, by running one in an empty directory.

    The warm-up uses its own empty pytest.ini outside the project, no
    PYTEST_ADDOPTS / PYTEST_PLUGINS, and only the installed plugins that live
    outside the project, so no conftest, no project plugin and no first-party
    module is imported here.
    """
    import gc
    import shutil
    import tempfile

    import pytest

    scratch = tempfile.mkdtemp(prefix="importsense-warmup-")
    saved_env = {name: os.environ.pop(name, None) for name in (REPORT_ENV, "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    saved_autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    saved_cwd = os.getcwd()
    try:
        plugins = _third_party_plugins(os.path.realpath(root))
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        ini = os.path.join(scratch, "pytest.ini")
        with open(ini, "w") as handle:
            handle.write("[pytest]\n")
        os.chdir(scratch)
        args = ["-c", ini, "--rootdir", scratch]
        for name in plugins:
            args.extend(["-p", name])
        try:
            pytest.main(_collect_args(args + [scratch]), plugins=[plugin])
        except BaseException:
            pytest.main(_collect_args(["-c", ini, "--rootdir", scratch, scratch]), plugins=[plugin])
    finally:
        os.chdir(saved_cwd)
        for name, value in saved_env.items():
            if value is not None:
                os.environ[name] = value
        if saved_autoload is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = saved_autoload
        shutil.rmtree(scratch, ignore_errors=True)
    gc.collect()


def _freeze():
    """Keep everything imported so far out of the children's garbage collections (and copy-on-write)."""
    import gc

    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()


def _run_child(plugin, request):
    """In the forked child: detach, redirect output, collect, and leave without running parent cleanup."""
    code = 70
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        sys.stdin = open(os.devnull)
        sys.stdout = os.fdopen(1, "w", buffering=1)
        sys.stderr = os.fdopen(2, "w", buffering=1)
        os.environ[REPORT_ENV] = request["report"]
        _arm_trace(request.get("trace"))
        import pytest

        code = int(pytest.main(_collect_args(request["args"]), plugins=[plugin]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 71
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            pass
        os._exit(code)


class _Lines:
    """Line reader on a raw file descriptor, so select() tells the truth about what is pending."""

    def __init__(self, fd):
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def pending(self):
        return b"\n" in self.buffer

    def fill(self):
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.closed = True
        self.buffer += chunk

    def next(self):
        """The next line (without newline), or None at end of input."""
        while not self.pending():
            if self.closed:
                return None
            self.fill()
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


def _kill_child(pid):
    import signal

    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
            return
        except OSError:
            continue


def _wait_child(pid, deadline, lines):
    """Wait for the child; kill it past `deadline` or when the client goes away (stdin closed)."""
    import select
    import time

    delay = 0.001
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        if time.monotonic() > deadline:
            _kill_child(pid)
            delay = 0.01
        if not lines.closed and not lines.pending():
            readable, _, _ = select.select([lines.fd], [], [], delay)
            if readable:
                lines.fill()
        else:
            time.sleep(delay)
        if lines.closed:
            _kill_child(pid)
        delay = min(delay * 2, 0.01)


def serve():
    import time

    if _import_pytest_hidden() is None:
        sys.stdout.write(json.dumps({"op": "failed", "error": "pytest is not importable in " + sys.executable}) + "\n")
        return 3
    plugin = _load_plugin()
    lines = _Lines(0)
    out = os.fdopen(os.dup(1), "wb")
    # User code must never write into the protocol pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")
    try:
        _warm_pytest(plugin, os.getcwd())
        _freeze()
        _send(out, {"op": "ready", "pid": os.getpid(), "python": sys.version.split()[0]})
    except BaseException as exc:
        _send(out, {"op": "failed", "error": f"{type(exc).__name__}: {exc}"})
        return 3
    while True:
        line = lines.next()
        if line is None:
            break
        try:
            request = json.loads(line)
        except ValueError:
            continue
        op = request.get("op")
        if op == "quit":
            break
        if op == "modules":
            _send(out, {"op": "modules", "modules": sorted(sys.modules)})
        elif op == "preload":
            imported, failed, skipped = preload(request.get("modules", []), request.get("root", os.getcwd()))
            _freeze()
            _send(out, {"op": "preloaded", "imported": imported, "failed": failed, "skipped": skipped})
        elif op == "collect":
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                out.close()
                _run_child(plugin, request)
            _send(out, {"op": "started", "pid": pid})
            deadline = time.monotonic() + float(request.get("deadline", 3600.0))
            code = _wait_child(pid, deadline, lines)
            _send(out, {"op": "exited", "pid": pid, "code": code})
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "serve":
        return serve()
    if len(argv) >= 4 and argv[1] == "run":
        rest = argv[4:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        return run_once(argv[2], argv[3], rest)
    sys.stderr.write(__doc__ or "")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
