"""A standalone pytest plugin that writes per-file collection events as JSON lines to a file, never stdout.

This module is copied next to `worker.py` into a private temp directory and
loaded into the *user's* interpreter, so it imports nothing but the standard
library and pytest, and keeps to syntax that Python 3.8 understands.

Events (one JSON object per line, appended and flushed as they happen, so a
crash or a timeout still leaves everything reported so far):

  {"event": "start", "pytest": "9.0.3", "rootdir": "/abs"}
  {"event": "conftest_error", "path": "/abs/conftest.py", "error": {...}}
  {"event": "collectstart", "path": "/abs/tests/test_a.py", "kind": "file" | "dir"}
  {"event": "error", "path": "/abs/...", "kind": "file" | "dir" | "other", "nodeid": "...", "error": {...}}
  {"event": "file", "path": "/abs/tests/test_a.py", "outcome": "passed" | "failed" | "skipped",
   "nodeids": [...], "skip_reason": str | null}
  {"event": "finished"}

An error is {"type", "message", "module", "frames": [[path, line, is_library], ...]}
with frames outermost first; for a SyntaxError the offending file and line are
appended as the last frame.
"""

# ruff: noqa: BLE001, SIM115 - it reports on user code, which may raise anything; the report file stays open for the run

import json
import os
import sys

import pytest

REPORT_ENV = "IMPORTSENSE_COLLECT_REPORT"
MAX_FRAMES = 60
MAX_MESSAGE = 2000

class _State:
    """What one run has seen so far (a fresh process, or a fresh fork, per run)."""

    def __init__(self):
        self.fh = None  # the report file, opened on the first event
        self.items = {}  # file path -> node ids collected from it
        self.file_reports = {}  # id(report) -> (report, file path) for File collectors
        self.broken_conftests = []  # (directory, error) of conftests that failed at start-up


_state = _State()


def _emit(event):
    fh = _state.fh
    if fh is None:
        target = os.environ.get(REPORT_ENV)
        if not target:
            return
        fh = open(target, "a", encoding="utf-8")
        _state.fh = fh
    fh.write(json.dumps(event) + "\n")
    fh.flush()


def _node_path(node):
    path = getattr(node, "path", None)
    if path is None:
        path = getattr(node, "fspath", None)
    return os.path.abspath(str(path)) if path is not None else None


def _library_prefixes():
    prefixes = set()
    for value in (sys.prefix, sys.base_prefix, sys.exec_prefix, getattr(sys, "base_exec_prefix", None)):
        if value:
            prefixes.add(os.path.abspath(value) + os.sep)
    return tuple(prefixes)


def _is_library(path, prefixes):
    if not path or path.startswith("<"):
        return True
    parts = path.replace("\\", "/").split("/")
    if "site-packages" in parts or "dist-packages" in parts:
        return True
    return os.path.abspath(path).startswith(prefixes)


def _unwrap(exc):
    """Peel pytest's wrappers (CollectError, ConftestImportFailure) off the real exception."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        name = type(exc).__name__
        cause = None
        if name == "ConftestImportFailure":
            cause = getattr(exc, "cause", None) or exc.__cause__
        elif name == "CollectError" and exc.__cause__ is not None or isinstance(exc, _CollectSystemExit):
            cause = exc.__cause__
        if cause is None:
            return exc
        exc = cause
    return exc


def _message(exc, outer):
    if isinstance(exc, SyntaxError):
        text = exc.msg or str(exc)
    elif isinstance(exc, SystemExit):
        text = f"sys.exit({exc.code!r}) called at import time"
    else:
        try:
            text = str(exc)
        except Exception:
            text = repr(exc)
        if type(exc).__name__ == "ImportPathMismatchError" or (not text and outer is not exc):
            text = str(outer)
    return text[:MAX_MESSAGE]


def describe_exception(outer):
    """Turn an exception raised during collection into the plain error dict."""
    exc = _unwrap(outer)
    prefixes = _library_prefixes()
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        frames.append([filename, tb.tb_lineno, _is_library(filename, prefixes)])
        tb = tb.tb_next
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        filename = os.path.abspath(exc.filename)
        frames.append([filename, exc.lineno, _is_library(filename, prefixes)])
    if len(frames) > MAX_FRAMES:
        frames = frames[:10] + frames[-(MAX_FRAMES - 10):]
    module = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
    return {
        "type": type(exc).__name__,
        "message": _message(exc, outer),
        "module": module,
        "frames": frames,
    }


class _CollectSystemExit(Exception):
    """Stands in for a SystemExit raised while importing a test module, so collection goes on."""


@pytest.hookimpl(hookwrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    outcome = yield
    excinfo = outcome.excinfo
    if excinfo is None or type(excinfo[1]).__name__ != "ConftestImportFailure":
        return
    failure = excinfo[1]
    path = getattr(failure, "path", None) or (failure.args[0] if failure.args else None)
    path = os.path.abspath(str(path)) if path else None
    described = describe_exception(failure)
    _emit({"event": "conftest_error", "path": path, "error": described})
    if path is not None:
        _state.broken_conftests.append((os.path.dirname(path), described))
    # Let the run go on: the broken conftest is imported again when its directory
    # is collected, and fails there as a collection error of that directory only.
    outcome.force_result(None)


def pytest_configure(config):
    rootdir = getattr(config, "rootpath", None) or getattr(config, "rootdir", None)
    _emit({"event": "start", "pytest": pytest.__version__, "rootdir": str(rootdir)})


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session):
    """Drop command-line paths below a conftest that failed to import, reporting them as errors.

    pytest would otherwise stop the whole run with "found no collectors" for
    such a path, and no other file would be collected.
    """
    broken = _state.broken_conftests
    if not broken:
        return
    config = session.config
    invocation_dir = str(config.invocation_params.dir)
    kept = []
    for arg in config.args:
        path = os.path.abspath(os.path.join(invocation_dir, str(arg).split("::")[0]))
        hit = None
        for directory, described in broken:
            if path == directory or path.startswith(directory + os.sep):
                hit = described
                break
        if hit is None:
            kept.append(arg)
        else:
            kind = "dir" if os.path.isdir(path) else "file"
            _emit({"event": "error", "path": path, "kind": kind, "nodeid": str(arg), "error": hit})
    config.args = kept
    return


def pytest_collectstart(collector):
    kind = "file" if isinstance(collector, pytest.File) else "dir" if _is_dir(collector) else None
    if kind is not None:
        _emit({"event": "collectstart", "path": _node_path(collector), "kind": kind})


def _is_dir(collector):
    directory = getattr(pytest, "Directory", None)
    if directory is not None:
        return isinstance(collector, directory)
    return type(collector).__name__ in ("Package", "Dir", "Session")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    excinfo = outcome.excinfo
    if excinfo is not None and isinstance(excinfo[1], SystemExit):
        # pytest lets SystemExit end the whole session; report it against this node instead.
        error = _CollectSystemExit("sys.exit() during collection")
        error.__cause__ = excinfo[1]
        described = describe_exception(error)
        _emit_error(collector, described)
        report = pytest.CollectReport(
            collector.nodeid, "failed", "SystemExit: {}".format(described["message"]), None
        )
        outcome.force_result(report)
    elif excinfo is not None:
        return
    else:
        report = outcome.get_result()
        if report.failed:
            call = report.__dict__.get("call")
            if call is not None and call.excinfo is not None:
                described = describe_exception(call.excinfo.value)
            else:
                described = {"type": "CollectError", "message": str(report.longrepr)[:MAX_MESSAGE],
                             "module": None, "frames": []}
            _emit_error(collector, described)
    if isinstance(collector, pytest.File):
        # Keep the report object alive with its id so the id cannot be reused meanwhile.
        _state.file_reports[id(report)] = (report, _node_path(collector))


def _emit_error(collector, described):
    kind = "file" if isinstance(collector, pytest.File) else "dir" if _is_dir(collector) else "other"
    _emit({
        "event": "error",
        "path": _node_path(collector),
        "kind": kind,
        "nodeid": collector.nodeid,
        "error": described,
    })


def pytest_itemcollected(item):
    _state.items.setdefault(_node_path(item), []).append(item.nodeid)


def pytest_collectreport(report):
    entry = _state.file_reports.pop(id(report), None)
    if entry is None or entry[0] is not report:
        return
    path = entry[1]
    skip_reason = None
    if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        skip_reason = str(report.longrepr[2])
    # A File's report comes after all of its items were collected.
    _emit({
        "event": "file",
        "path": path,
        "outcome": report.outcome,
        "nodeids": _state.items.pop(path, []),
        "skip_reason": skip_reason,
    })


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    for path, nodeids in sorted(_state.items.items()):
        # Items whose file never had its own report (plugins' custom collectors).
        _emit({"event": "file", "path": path, "outcome": "passed", "nodeids": nodeids, "skip_reason": None})
    _state.items = {}
    _state.file_reports = {}
    _emit({"event": "finished"})


def pytest_unconfigure(config):
    fh = _state.fh
    if fh is not None:
        fh.close()
        _state.fh = None
