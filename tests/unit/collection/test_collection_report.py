"""Reading plugin reports, grouping root causes, rendering text/JSON, and what a change re-collects."""

from __future__ import annotations

import io
import json
from pathlib import Path

from importsense.collection import run_collect_command
from importsense.collection.events import error_for, error_from_trace, read_report
from importsense.collection.incremental import affected_test_files
from importsense.collection.report import render_text, summary_line, to_json
from importsense.collection.results import (
    CollectionError,
    CollectionResult,
    FileStatus,
    merge_results,
)
from importsense.collection.roots import explain, group_root_causes


def test_read_report_tolerates_a_torn_last_line_and_finds_the_file_in_progress(tmp_path):
    report = tmp_path / "r.jsonl"
    lines = [
        {"event": "start"},
        {"event": "collectstart", "path": "/p/tests", "kind": "dir"},
        {"event": "collectstart", "path": "/p/tests/test_a.py", "kind": "file"},
        {"event": "file", "path": "/p/tests/test_a.py", "outcome": "passed", "nodeids": ["a::x", "a::y"]},
        {"event": "collectstart", "path": "/p/tests/test_b.py", "kind": "file"},
    ]
    report.write_text("\n".join(json.dumps(x) for x in lines) + '\n{"event": "fi')
    parsed = read_report(report)
    assert parsed.started and not parsed.finished
    assert parsed.files[Path("/p/tests/test_a.py")] == ("passed", ("a::x", "a::y"))
    assert parsed.in_progress == (Path("/p/tests/test_b.py"), "file")
    report.write_text("\n".join(json.dumps(x) for x in lines[:4] + [{"event": "finished"}]))
    assert read_report(report).in_progress is None
    assert read_report(tmp_path / "missing.jsonl").started is False


def test_error_for_picks_the_test_file_line_and_the_deepest_first_party_frame(tmp_path):
    root = tmp_path
    test_file = root / "tests" / "test_a.py"
    frames = [
        ["/usr/lib/python3/site-packages/_pytest/python.py", 500, True],
        [str(test_file), 2, False],
        ["<frozen importlib._bootstrap>", 100, True],
        [str(root / "app" / "__init__.py"), 7, False],
        [str(root / "app" / "schemas.py"), 649, False],
        ["/usr/lib/python3/site-packages/pydantic/main.py", 10, True],
    ]
    error = error_for({"type": "ImportError", "message": f"bad ({root}/app/x.py)", "frames": frames, "module": "app.x"}, test_file, root)
    assert (error.line, error.root_path, error.root_line) == (2, root / "app" / "schemas.py", 649)
    assert error.message == "bad (app/x.py)"
    assert error.module == "app.x"
    own = error_for({"type": "NameError", "message": "x", "frames": [[str(test_file), 5, False]]}, test_file, root)
    assert (own.line, own.root_path) == (5, None)
    conftest = error_for({"type": "E", "message": "", "frames": [[str(root / "tests" / "conftest.py"), 3, False]]}, None, root)
    assert (conftest.line, conftest.root_path, conftest.root_line) == (None, root / "tests" / "conftest.py", 3)


def test_error_from_a_faulthandler_dump(tmp_path):
    test_file = tmp_path / "test_hang.py"
    trace = (
        "Thread 0x00007f0000000001 (most recent call first):\n"
        '  File "/usr/lib/python3.11/threading.py", line 320 in wait\n'
        "\n"
        "Current thread 0x00007f0000000002 (most recent call first):\n"
        f'  File "{tmp_path}/app/slow.py", line 9 in spin\n'
        f'  File "{test_file}", line 4 in <module>\n'
        '  File "<frozen importlib._bootstrap>", line 241 in _call_with_frames_removed\n'
    )
    error = error_from_trace(trace, "Timeout", "took too long", test_file, tmp_path)
    assert (error.type, error.line, error.root_path, error.root_line) == ("Timeout", 4, tmp_path / "app" / "slow.py", 9)
    empty = error_from_trace("", "Timeout", "took too long", test_file, tmp_path)
    assert (empty.line, empty.root_path) == (None, None)


def _result(root: Path) -> CollectionResult:
    schema = CollectionError("ModuleNotFoundError", "No module named 'app.schemas.user'", 2, root / "app/schemas/__init__.py", 649, module="app.schemas.user")
    files = [FileStatus(root / f"tests/test_u{i}.py", "error", 0, error=schema) for i in range(3)]
    files.append(FileStatus(root / "tests/test_syntax.py", "error", 0, error=CollectionError("SyntaxError", "invalid syntax", 4)))
    files.append(FileStatus(root / "tests/test_ok.py", "ok", 1234, node_ids=("tests/test_ok.py::t",)))
    return CollectionResult(files=files, mode="cold")


def test_root_causes_are_grouped_and_ranked(tmp_path):
    (tmp_path / "app" / "schemas").mkdir(parents=True)
    (tmp_path / "app" / "schemas" / "User.py").write_text("class User: pass\n")
    roots = group_root_causes(_result(tmp_path), tmp_path)
    assert [(r.path.relative_to(tmp_path).as_posix(), r.line, len(r.blocked_files)) for r in roots] == [
        ("app/schemas/__init__.py", 649, 3),
        ("tests/test_syntax.py", 4, 1),
    ]
    assert roots[0].message == "imports `app.schemas.user`, but the file is `User.py` (app/schemas/User.py)"
    assert roots[1].message == "SyntaxError: invalid syntax"
    assert roots[0].to_json(tmp_path) == {
        "path": "app/schemas/__init__.py", "line": 649, "message": roots[0].message, "blocked_files": 3,
    }


def test_explain_module_not_found_variants(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    error = CollectionError("ModuleNotFoundError", "No module named 'app'", 1, module="app")
    assert "is in the project but not importable under pytest" in explain(error, [tmp_path], tmp_path)
    missing = CollectionError("ModuleNotFoundError", "No module named 'requests_x'", 1, module="requests_x")
    assert explain(missing, [tmp_path], tmp_path) == "imports `requests_x`, which is not installed or does not exist"
    deeper = CollectionError("ModuleNotFoundError", "No module named 'app.nothing'", 1, module="app.nothing")
    assert explain(deeper, [tmp_path], tmp_path) == "imports `app.nothing`, which is not installed or does not exist"


def test_text_table_summary_and_roots(tmp_path):
    result = _result(tmp_path)
    text = render_text(result, tmp_path, group_root_causes(result, tmp_path))
    lines = text.splitlines()
    assert lines[0].split() == ["file", "status", "tests", "first", "error"]
    assert "tests/test_u0.py" in lines[1] and "line 2: ModuleNotFoundError" in lines[1] and "(in app/schemas/__init__.py:649)" in lines[1]
    assert "1,234 tests in 5 files; 4 files fail to collect" in text
    assert "  app/schemas/__init__.py:649 blocks 3 test files: imports `app.schemas.user`" in text
    assert "tests/test_syntax.py:4 blocks 1 test file: SyntaxError: invalid syntax" in text


def test_summary_line_wording():
    one = CollectionResult(files=[FileStatus(Path("/a.py"), "ok", 1)])
    assert summary_line(one) == "1 test in 1 file; all files collect"
    static = CollectionResult(files=[FileStatus(Path("/a.py"), "ok", 3, source="static", exact=False),
                                     FileStatus(Path("/b.py"), "error", 0, error=CollectionError("SyntaxError", "x", 1), source="static")],
                              mode="static")
    assert summary_line(static) == "~3 tests in 2 files; 1 file fails to collect (static estimate)"


def test_json_shape(tmp_path):
    result = _result(tmp_path)
    data = to_json(result, tmp_path, group_root_causes(result, tmp_path))
    assert data["summary"] == {"files": 5, "tests": 1234, "errors": 4}
    first = data["files"][0]
    assert first == {
        "path": "tests/test_u0.py",
        "status": "error",
        "tests": 0,
        "error": {
            "type": "ModuleNotFoundError",
            "message": "No module named 'app.schemas.user'",
            "line": 2,
            "root": {"path": "app/schemas/__init__.py", "line": 649},
        },
        "source": "pytest",
    }
    assert data["roots"][0]["blocked_files"] == 3
    json.dumps(data)


def test_merge_replaces_only_the_fresh_files():
    old = CollectionResult(files=[FileStatus(Path("/a.py"), "ok", 1), FileStatus(Path("/b.py"), "ok", 2)])
    fresh = CollectionResult(files=[FileStatus(Path("/b.py"), "error", 0, error=CollectionError("E", "m"))], mode="warm")
    merged = merge_results(old, fresh)
    assert [(f.path.name, f.status) for f in merged.files] == [("a.py", "ok"), ("b.py", "error")]
    assert merged.mode == "warm"


def test_affected_test_files(tmp_path):
    tests = [tmp_path / "tests/test_a.py", tmp_path / "tests/sub/test_b.py", tmp_path / "other/test_c.py"]
    graph = {tmp_path / "app/core.py": [tmp_path / "app/api.py"], tmp_path / "app/api.py": [tmp_path / "tests/test_a.py"]}

    def importers(path):
        return graph.get(path, [])

    assert affected_test_files([tmp_path / "tests/test_a.py"], tests) == [tmp_path / "tests/test_a.py"]
    assert affected_test_files([tmp_path / "tests/conftest.py"], tests) == sorted(tests[:2])
    assert affected_test_files([tmp_path / "app/core.py"], tests, importers_of=importers) == [tmp_path / "tests/test_a.py"]
    assert affected_test_files([tmp_path / "app/unused.py"], tests, importers_of=importers) == []
    assert affected_test_files([tmp_path / "app/core.py"], tests) is None
    assert affected_test_files([tmp_path / "pyproject.toml"], tests) is None
    assert affected_test_files([tmp_path / "README.md"], tests) == []


def test_run_collect_command_static_json_and_exit_codes(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_ok.py").write_text("import pytest\n@pytest.mark.parametrize('x', [1, 2])\ndef test_a(x): pass\n")
    out = io.StringIO()
    code = run_collect_command(tmp_path, [], python="python-not-used", static=True, fmt="json", timeout=1, out=out)
    data = json.loads(out.getvalue())
    assert code == 0
    assert data["summary"] == {"files": 1, "tests": 2, "errors": 0}
    assert data["files"][0]["source"] == "static"
    out = io.StringIO()
    failures = {Path("test_ok.py"): (1, "No module named 'pytest_x'")}
    code = run_collect_command(tmp_path, [Path("test_ok.py")], python="unused", static=True, fmt="text", timeout=1,
                               import_failures=failures, out=out)
    assert code == 1
    assert "line 1: ImportError: No module named 'pytest_x'" in out.getvalue()
    assert "0 tests in 1 file; 1 file fails to collect (static estimate)" in out.getvalue()
