"""WarmCollector: same answers as a cold run, fresh first-party code per request, one file at a time, cancellable."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest
from importsense.collection import WarmCollector, collect
from importsense.collection.results import CollectionResult
from importsense.collection.warm import preload_candidates

PYTHON = sys.executable


def facts(result: CollectionResult, root: Path) -> dict[str, tuple]:
    return {
        f.path.relative_to(root).as_posix(): (
            f.status, f.tests, f.node_ids,
            None if f.error is None else (f.error.type, f.error.message, f.error.line, f.error.root_path, f.error.root_line),
        )
        for f in result.files
    }


@pytest.fixture(scope="module")
def broken_warm(copy_fixture):
    root = copy_fixture("broken_project")
    collector = WarmCollector()
    collector.start(PYTHON, root)
    yield root, collector
    collector.close()


def test_warm_answers_like_a_cold_run(broken_warm):
    root, collector = broken_warm
    warm = collector.collect(None, timeout=60)
    cold = collect(root, PYTHON, None, timeout=60)
    assert warm.mode == "warm"
    assert facts(warm, root) == facts(cold, root)
    assert warm.summary() == {"files": 13, "tests": 3, "errors": 11}


def test_warm_server_never_imports_first_party_code(broken_warm):
    _root, collector = broken_warm
    collector.collect([Path("tests/test_fine.py"), Path("tests/test_users_a.py")], timeout=60)
    modules = collector.server_modules()
    assert "pytest" in modules
    assert not [m for m in modules if m == "app" or m.startswith(("app.", "test_", "conftest"))]


def test_forged_protocol_lines_from_user_code_are_harmless(broken_warm):
    root, collector = broken_warm
    result = collector.collect([Path("tests/test_prints.py")], timeout=60)
    assert facts(result, root) == {"tests/test_prints.py": ("ok", 1, ("tests/test_prints.py::test_prints",), None)}
    again = collector.collect([Path("tests/test_fine.py")], timeout=60)
    assert [f.tests for f in again.files] == [2]


@pytest.fixture
def marked_project(tmp_path):
    """Every module appends its name to imports.log when imported; conftest imports a third-party module."""
    root = tmp_path / "marked"
    (root / "app").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    log = root / "imports.log"
    marker = f"open({str(log)!r}, 'a').write(__name__ + '\\n')\n"
    (root / "conftest.py").write_text("import jedi  # third-party, preloaded by the server\n" + marker)
    (root / "app" / "__init__.py").write_text(marker)
    (root / "app" / "core.py").write_text(marker + "VALUE = 1\n")
    for name in ("a", "b", "c"):
        (root / f"test_{name}.py").write_text(marker + f"from app.core import VALUE\n\ndef test_{name}():\n    assert VALUE\n")
    return root, log


def test_one_changed_file_is_recollected_alone_with_fresh_first_party_code(marked_project):
    root, log = marked_project
    with WarmCollector() as collector:
        collector.start(PYTHON, root)
        assert "jedi" in collector.preloaded
        log.write_text("")
        first = collector.collect([Path("test_b.py")], timeout=60)
        assert [(f.path.name, f.tests) for f in first.files] == [("test_b.py", 1)]
        assert sorted(log.read_text().split()) == ["app", "app.core", "conftest", "test_b"]

        # Edit the test file and break a first-party module: the next fork sees both.
        (root / "test_b.py").write_text("from app.core import VALUE\n\ndef test_b():\n    pass\n\ndef test_b2():\n    pass\n")
        log.write_text("")
        second = collector.collect([Path("test_b.py")], timeout=60)
        assert [(f.path.name, f.tests) for f in second.files] == [("test_b.py", 2)]
        (root / "app" / "core.py").write_text("VALUE = 1\nfrom app.missing import thing\n")
        broken = collector.collect([Path("test_b.py")], timeout=60)
        (status,) = broken.files
        assert (status.status, status.error.type, status.error.line) == ("error", "ModuleNotFoundError", 1)
        assert (status.error.root_path, status.error.root_line) == (root / "app" / "core.py", 2)
        assert "test_a" not in log.read_text() and "test_c" not in log.read_text()
        assert not [m for m in collector.server_modules() if m.startswith(("app", "test_"))]


def test_preload_candidates_skip_first_party_and_relative_imports(marked_project):
    root, _ = marked_project
    (root / "test_d.py").write_text("import json\nfrom . import sibling\nfrom app import core\nimport libcst.matchers\n")
    names = preload_candidates(root)
    assert "jedi" in names and "json" in names and "libcst.matchers" in names
    assert not [n for n in names if n.split(".")[0] in ("app", "conftest")]


def test_warm_timeout_then_the_server_keeps_serving(copy_fixture, live_processes):
    root = copy_fixture("hang_project")
    with WarmCollector() as collector:
        collector.start(PYTHON, root)
        result = collector.collect(None, timeout=3)
        assert {f.path.name: (f.status, f.error and f.error.type) for f in result.files} == {
            "test_aaa_fine.py": ("ok", None),
            "test_hang.py": ("error", "Timeout"),
            "test_os_exit.py": ("error", "ProcessExit"),
            "test_zzz_fine.py": ("ok", None),
        }
        assert result.by_path()[root / "test_hang.py"].error.line in (2, 3)
        assert collector.alive
        after = collector.collect([Path("test_zzz_fine.py")], timeout=10)
        assert [(f.path.name, f.tests) for f in after.files] == [("test_zzz_fine.py", 2)]
        server_pid = collector._proc.pid
        assert [p for p in live_processes(root) if p != server_pid] == []
    assert live_processes(root) == []


def test_a_newer_request_supersedes_the_running_one(copy_fixture):
    root = copy_fixture("hang_project")
    with WarmCollector() as collector:
        collector.start(PYTHON, root)
        results: dict[str, CollectionResult] = {}
        slow = threading.Thread(
            target=lambda: results.setdefault("slow", collector.collect([Path("test_hang.py")], timeout=60))
        )
        slow.start()
        time.sleep(1.0)
        started = time.monotonic()
        results["fast"] = collector.collect([Path("test_aaa_fine.py")], timeout=60, supersede=True)
        slow.join(10)
        assert not slow.is_alive()
        assert time.monotonic() - started < 8
        assert results["slow"].cancelled is True
        assert [(f.path.name, f.status, f.tests) for f in results["fast"].files] == [("test_aaa_fine.py", "ok", 1)]


def test_external_cancel_event(copy_fixture):
    root = copy_fixture("hang_project")
    with WarmCollector() as collector:
        collector.start(PYTHON, root)
        cancel = threading.Event()
        threading.Timer(0.5, cancel.set).start()
        started = time.monotonic()
        result = collector.collect([Path("test_hang.py")], timeout=60, cancel=cancel)
        assert result.cancelled and time.monotonic() - started < 8


def test_falls_back_to_cold_runs_without_fork(copy_fixture, monkeypatch):
    root = copy_fixture("pyproject_project")
    monkeypatch.setattr(WarmCollector, "forking", property(lambda self: False))
    with WarmCollector() as collector:
        collector.start(PYTHON, root)
        assert not collector.alive
        result = collector.collect(None, timeout=60)
    assert result.mode == "cold"
    assert [(f.path.name, f.tests) for f in result.files] == [("test_calc.py", 1), ("test_more.py", 2)]


def test_collect_before_start_is_an_error():
    with pytest.raises(RuntimeError):
        WarmCollector().collect(None)


def test_server_and_child_go_away_when_the_client_is_killed(copy_fixture, live_processes):
    import os
    import signal
    import subprocess

    root = copy_fixture("hang_project")
    script = (
        "import sys\nfrom pathlib import Path\nfrom importsense.collection import WarmCollector\n"
        "w = WarmCollector()\nw.start(sys.executable, Path(sys.argv[1]))\nprint('ready', flush=True)\n"
        "w.collect([Path('test_hang.py')], timeout=600)\n"
    )
    client = subprocess.Popen([PYTHON, "-c", script, str(root)], stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 10
        while len(live_processes(root)) < 2 and time.monotonic() < deadline:  # the server and its hanging child
            time.sleep(0.05)
        assert len(live_processes(root)) >= 2
    finally:
        os.kill(client.pid, signal.SIGKILL)
        client.wait()
    deadline = time.monotonic() + 10
    while live_processes(root) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_processes(root) == []


def test_recollect_touches_only_the_affected_files(marked_project):
    from importsense.collection import recollect

    root, log = marked_project
    (root / "app" / "other.py").write_text("OTHER = 1\n")
    (root / "test_other.py").write_text("from app.other import OTHER\n\ndef test_other():\n    assert OTHER\n")
    graph = {root / "app" / "other.py": [root / "test_other.py"]}
    with WarmCollector() as collector:
        collector.start(PYTHON, root)
        first = collector.collect(None, timeout=60)
        assert sorted((f.path.name, f.tests) for f in first.files) == [
            ("test_a.py", 1), ("test_b.py", 1), ("test_c.py", 1), ("test_other.py", 1),
        ]
        # A first-party module changes: only its importer is collected again.
        (root / "app" / "other.py").write_text("raise RuntimeError('other is broken')\n")
        log.write_text("")
        second = recollect(collector, first, [root / "app" / "other.py"], importers_of=lambda p: graph.get(p, []))
        assert sorted(log.read_text().split()) == ["app", "conftest"]  # test_a/b/c were not collected again
        statuses = {f.path.name: f.status for f in second.files}
        assert statuses == {"test_a.py": "ok", "test_b.py": "ok", "test_c.py": "ok", "test_other.py": "error"}
        # A new test file and a deleted one.
        (root / "test_new.py").write_text("def test_new(): pass\n")
        (root / "test_c.py").unlink()
        (root / "helpers_module.py").write_text("X = 1\n")
        log.write_text("")
        third = recollect(
            collector, second, [root / "test_new.py", root / "test_c.py", root / "helpers_module.py"],
            importers_of=lambda p: graph.get(p, []),
        )
        assert sorted(f.path.name for f in third.files) == ["test_a.py", "test_b.py", "test_new.py", "test_other.py"]
        assert "test_a" not in log.read_text()
        # Without an import graph a changed module may affect anything: everything is collected again.
        log.write_text("")
        fourth = recollect(collector, third, [root / "helpers_module.py"])
        assert "test_a" in log.read_text()
        assert sorted(f.path.name for f in fourth.files) == ["test_a.py", "test_b.py", "test_new.py", "test_other.py"]


def test_start_fails_loudly_without_pytest_in_the_interpreter(tmp_path, monkeypatch):
    from importsense.collection import WarmCollectorError

    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "pytest.py").write_text("raise ImportError('pytest is not installed here')\n")
    monkeypatch.setenv("PYTHONPATH", str(shadow))
    collector = WarmCollector()
    with pytest.raises(WarmCollectorError, match="pytest is not importable"):
        collector.start(PYTHON, tmp_path)
    assert not collector.alive
