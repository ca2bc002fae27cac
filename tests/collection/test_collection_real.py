"""Real `pytest --collect-only` subprocesses on the fixture projects, checked against the static estimate."""

from __future__ import annotations

import io
import json
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from importsense.collection import (
    collect,
    discover_test_files,
    group_root_causes,
    read_pytest_config,
    run_collect_command,
    static_status,
)
from importsense.collection.results import CollectionResult, FileStatus

PYTHON = sys.executable
# Errors the static view cannot know without the core engine's import findings
# or without running the code.
NEEDS_ENGINE_OR_RUNTIME = {"ImportError", "ModuleNotFoundError", "AttributeError", "RuntimeError"}


def rel(root: Path, status: FileStatus) -> str:
    return status.path.relative_to(root).as_posix()


def summary(root: Path, result: CollectionResult) -> dict[str, tuple]:
    out = {}
    for f in result.files:
        error = f.error
        out[rel(root, f)] = (
            f.status,
            f.tests,
            None if error is None else error.type,
            None if error is None else error.line,
            None if error is None or error.root_path is None else (error.root_path.relative_to(root).as_posix(), error.root_line),
        )
    return out


def static_of(root: Path) -> CollectionResult:
    config = read_pytest_config(root)
    return CollectionResult(files=static_status(root, discover_test_files(root, config), config=config), mode="static")


def assert_static_agrees(root: Path, real: CollectionResult) -> int:
    """The static view agrees with real collection wherever it can know; returns how many files were compared."""
    static = static_of(root).by_path()
    assert set(static) == set(real.by_path()), "static discovery and pytest disagree on the file set"
    compared = 0
    for path, actual in real.by_path().items():
        guess = static[path]
        name = path.relative_to(root).as_posix()
        if guess.status == "error":
            assert actual.status == "error", f"{name}: static says error, pytest collects it"
            assert guess.error.type == actual.error.type, name
            if actual.error.type == "Timeout" and actual.error.line is not None:
                # the stack dump stops anywhere inside the loop that starts at the static line
                assert guess.error.line <= actual.error.line, name
            elif actual.error.line is not None:
                assert guess.error.line == actual.error.line, name
            compared += 1
        elif actual.status == "error":
            assert actual.error.type in NEEDS_ENGINE_OR_RUNTIME or actual.error.root_path is not None, (
                f"{name}: static missed a {actual.error.type} it could have seen"
            )
        elif guess.exact:
            assert guess.tests == actual.tests, f"{name}: static {guess.tests} != pytest {actual.tests}"
            compared += 1
    return compared


# ---------------------------------------------------------------------------
# projects that collect cleanly
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def counts(copy_fixture):
    """Collected with the installed pytest plugins loaded (hypothesis, asyncio, ...), as a user would."""
    root = copy_fixture("counts_project")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
        return root, collect(root, PYTHON, None, timeout=60)


def test_counts_project_per_file(counts):
    root, result = counts
    assert result.problems == []
    assert summary(root, result) == {
        "test_classes.py": ("ok", 7, None, None, None),
        "test_functions.py": ("ok", 7, None, None, None),
        "test_parametrize.py": ("ok", 28, None, None, None),
        "test_pytestmark.py": ("ok", 6, None, None, None),
        "test_skipped_module.py": ("ok", 0, None, None, None),
        "test_unittest_style.py": ("ok", 5, None, None, None),
    }
    node_ids = result.by_path()[root / "test_parametrize.py"].node_ids
    assert "test_parametrize.py::test_three[1]" in node_ids
    assert "test_parametrize.py::TestMarkedClass::test_b[1-1]" in node_ids
    assert result.summary() == {"files": 6, "tests": 53, "errors": 0}


def test_counts_project_static_is_exact_and_agrees(counts):
    root, result = counts
    assert all(f.exact for f in static_of(root).files)
    assert assert_static_agrees(root, result) == 6


def test_custom_ini_globs_testpaths_and_norecursedirs(copy_fixture):
    root = copy_fixture("custom_ini_project")
    result = collect(root, PYTHON, None, timeout=60)
    assert summary(root, result) == {
        "checks/check_alpha.py": ("ok", 4, None, None, None),
        "checks/login_spec.py": ("ok", 1, None, None, None),
    }
    assert sorted(result.by_path()[root / "checks/check_alpha.py"].node_ids) == [
        "checks/check_alpha.py::DatabaseChecks::check_db",
        "checks/check_alpha.py::SuiteOfThings::check_method",
        "checks/check_alpha.py::check_one",
        "checks/check_alpha.py::it_should_work",
    ]
    assert assert_static_agrees(root, result) == 2


def test_pyproject_config_with_pythonpath_beats_tox_ini(copy_fixture):
    root = copy_fixture("pyproject_project")
    result = collect(root, PYTHON, None, timeout=60)
    assert summary(root, result) == {
        "spec/test_calc.py": ("ok", 1, None, None, None),
        "spec/test_more.py": ("ok", 2, None, None, None),
    }
    assert assert_static_agrees(root, result) == 2


def test_discovery_matches_pytest_on_a_tree_full_of_ignore_rules(tmp_path):
    files = {
        "pytest.ini": "[pytest]\nnorecursedirs = skipme\naddopts = --ignore=tests/old\n",
        "conftest.py": 'collect_ignore = ["tests/test_legacy.py"]\ncollect_ignore_glob = ["*_wip.py"]\n',
        "tests/test_a.py": "def test_a(): pass\n",
        "tests/b_test.py": "def test_b(): pass\n",
        "tests/test_legacy.py": "def test_l(): pass\n",
        "tests/test_feature_wip.py": "def test_w(): pass\n",
        "tests/old/test_old.py": "def test_o(): pass\n",
        "tests/skipme/test_skipped.py": "def test_s(): pass\n",
        "tests/.hidden/test_hidden.py": "def test_h(): pass\n",
        "tests/pkg/__init__.py": "",
        "tests/pkg/test_in_pkg.py": "def test_p(): pass\n",
        "venvlike/pyvenv.cfg": "home = /usr\n",
        "venvlike/test_venv.py": "def test_v(): pass\n",
        "tests/empty/test_nothing.py": "x = 1\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    real = collect(tmp_path, PYTHON, None, timeout=60)
    discovered = discover_test_files(tmp_path, read_pytest_config(tmp_path))
    assert {f.path for f in real.files} == set(discovered)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in discovered) == [
        # norecursedirs replaces the defaults, so ".*" no longer hides .hidden
        "tests/.hidden/test_hidden.py", "tests/b_test.py", "tests/empty/test_nothing.py", "tests/pkg/test_in_pkg.py",
        "tests/test_a.py",
    ]


# ---------------------------------------------------------------------------
# collection errors
# ---------------------------------------------------------------------------

BROKEN_EXPECTED = {
    "tests/sub/test_blocked_one.py": ("error", 0, "ModuleNotFoundError", None, ("tests/sub/conftest.py", 3)),
    "tests/sub/test_blocked_two.py": ("error", 0, "ModuleNotFoundError", None, ("tests/sub/conftest.py", 3)),
    "tests/test_attribute.py": ("error", 0, "AttributeError", 1, ("app/models.py", 3)),
    "tests/test_exit.py": ("error", 0, "SystemExit", 2, None),
    "tests/test_fine.py": ("ok", 2, None, None, None),
    "tests/test_import_name.py": ("error", 0, "ImportError", 1, None),
    "tests/test_prints.py": ("ok", 1, None, None, None),
    "tests/test_runtime_there.py": ("error", 0, "RuntimeError", 3, ("app/settings.py", 2)),
    "tests/test_syntax_here.py": ("error", 0, "SyntaxError", 4, None),
    "tests/test_syntax_there.py": ("error", 0, "SyntaxError", 1, ("app/broken_syntax.py", 2)),
    "tests/test_users_a.py": ("error", 0, "ModuleNotFoundError", 2, ("app/schemas/__init__.py", 4)),
    "tests/test_users_b.py": ("error", 0, "ModuleNotFoundError", 2, ("app/schemas/__init__.py", 4)),
    "tests/test_users_c.py": ("error", 0, "ModuleNotFoundError", 2, ("app/schemas/__init__.py", 4)),
}


@pytest.fixture(scope="module")
def broken(copy_fixture):
    root = copy_fixture("broken_project")
    return root, collect(root, PYTHON, None, timeout=60)


def test_broken_project_every_kind_of_failure(broken):
    root, result = broken
    assert summary(root, result) == BROKEN_EXPECTED
    messages = {rel(root, f): f.error.message for f in result.files if f.error}
    assert messages["tests/test_exit.py"] == "sys.exit(2) called at import time"
    assert messages["tests/test_import_name.py"] == "cannot import name 'missing_name' from 'app.helpers' (app/helpers.py)"
    assert messages["tests/test_syntax_here.py"] == "invalid syntax"
    assert messages["tests/test_runtime_there.py"] == "settings are not configured"
    assert messages["tests/sub/test_blocked_one.py"] == "No module named 'missing_plugin_for_fixture_xyz'"


def test_broken_project_root_causes_ranked(broken):
    root, result = broken
    roots = group_root_causes(result, root)
    ranked = [(r.path.relative_to(root).as_posix(), r.line, len(r.blocked_files)) for r in roots]
    assert ranked[:2] == [("app/schemas/__init__.py", 4, 3), ("tests/sub/conftest.py", 3, 2)]
    assert sorted(ranked[2:]) == sorted([
        ("app/broken_syntax.py", 2, 1), ("app/models.py", 3, 1), ("app/settings.py", 2, 1),
        ("tests/test_exit.py", 2, 1), ("tests/test_import_name.py", 1, 1), ("tests/test_syntax_here.py", 4, 1),
    ])
    assert roots[0].message == "imports `app.schemas.user`, but the file is `User.py` (app/schemas/User.py)"


def test_broken_project_static_agrees_where_it_can(broken):
    root, result = broken
    compared = assert_static_agrees(root, result)
    assert compared == 4  # the syntax error and sys.exit() it sees, two clean files it counts


def test_broken_project_static_with_engine_findings_matches_real_lines(broken):
    root, result = broken
    real = result.by_path()
    failures = {
        f.path: (f.error.line, f.error.message)
        for f in result.files
        if f.error is not None and f.error.type in NEEDS_ENGINE_OR_RUNTIME and f.error.line is not None
    }
    files = sorted(real)
    static = static_status(root, files, import_failures=failures)
    for status in static:
        if status.path in failures:
            assert status.status == "error"
            assert status.error.line == real[status.path].error.line


def test_explicit_files_under_a_broken_conftest_do_not_stop_the_others(copy_fixture):
    root = copy_fixture("broken_project")
    targets = [Path("tests/sub/test_blocked_one.py"), Path("tests/test_fine.py"), Path("tests/test_users_a.py")]
    result = collect(root, PYTHON, targets, timeout=60)
    assert summary(root, result) == {
        "tests/sub/test_blocked_one.py": BROKEN_EXPECTED["tests/sub/test_blocked_one.py"],
        "tests/test_fine.py": BROKEN_EXPECTED["tests/test_fine.py"],
        "tests/test_users_a.py": BROKEN_EXPECTED["tests/test_users_a.py"],
    }


def test_cli_json_and_text(broken):
    root, _ = broken
    out = io.StringIO()
    assert run_collect_command(root, [], python=PYTHON, static=False, fmt="json", timeout=60, out=out) == 1
    data = json.loads(out.getvalue())
    assert data["summary"] == {"files": 13, "tests": 3, "errors": 11}
    assert data["roots"][0] == {
        "path": "app/schemas/__init__.py",
        "line": 4,
        "message": "imports `app.schemas.user`, but the file is `User.py` (app/schemas/User.py)",
        "blocked_files": 3,
    }
    by_path = {f["path"]: f for f in data["files"]}
    assert by_path["tests/test_users_a.py"]["error"]["root"] == {"path": "app/schemas/__init__.py", "line": 4}
    assert by_path["tests/test_fine.py"] == {"path": "tests/test_fine.py", "status": "ok", "tests": 2, "error": None, "source": "pytest"}
    out = io.StringIO()
    code = run_collect_command(root, [Path("tests/test_fine.py")], python=PYTHON, static=False, fmt="text", timeout=60, out=out)
    assert code == 0
    assert "2 tests in 1 file; all files collect" in out.getvalue()


# ---------------------------------------------------------------------------
# hangs, crashes, cancellation, a missing pytest
# ---------------------------------------------------------------------------


def test_timeout_and_process_exit_are_per_file(copy_fixture, live_processes):
    root = copy_fixture("hang_project")
    started = time.monotonic()
    result = collect(root, PYTHON, None, timeout=3)
    elapsed = time.monotonic() - started
    facts = summary(root, result)
    hang_line = facts["test_hang.py"][3]
    assert hang_line in (2, 3)  # `while True:` / `pass`: wherever the stack dump caught the loop
    assert facts == {
        "test_aaa_fine.py": ("ok", 1, None, None, None),
        "test_hang.py": ("error", 0, "Timeout", hang_line, None),
        "test_os_exit.py": ("error", 0, "ProcessExit", None, None),
        "test_zzz_fine.py": ("ok", 2, None, None, None),
    }
    assert result.by_path()[root / "test_hang.py"].error.message == "collection did not finish within 3 s"
    assert result.by_path()[root / "test_os_exit.py"].error.message == (
        "the process exited with code 7 while collecting this file"
    )
    assert 3 <= elapsed < 30
    assert live_processes(root) == []
    assert assert_static_agrees(root, result) == 4


def test_cancel_stops_a_cold_collection_quickly(copy_fixture, live_processes):
    root = copy_fixture("hang_project")
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    started = time.monotonic()
    result = collect(root, PYTHON, [Path("test_hang.py"), Path("test_zzz_fine.py")], timeout=60, cancel=cancel)
    assert time.monotonic() - started < 10
    assert result.cancelled is True
    assert root / "test_zzz_fine.py" not in result.by_path()  # nothing invented after a cancel
    assert live_processes(root) == []


def test_user_output_cannot_corrupt_the_report(broken):
    root, result = broken
    prints = result.by_path()[root / "tests/test_prints.py"]
    assert (prints.status, prints.node_ids) == ("ok", ("tests/test_prints.py::test_prints",))


def test_interpreter_without_pytest(tmp_path, monkeypatch):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_a.py").write_text("def test_a(): pass\n")
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "pytest.py").write_text("raise ImportError('pytest is not installed here')\n")
    monkeypatch.setenv("PYTHONPATH", str(shadow))
    result = collect(tmp_path, PYTHON, None, timeout=60)
    (status,) = result.files
    assert status.status == "error"
    assert status.error.type == "PytestError"
    assert "pytest is not importable" in status.error.message
    assert result.problems


def test_missing_interpreter(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_a.py").write_text("def test_a(): pass\n")
    result = collect(tmp_path, str(tmp_path / "no-python"), None, timeout=60)
    assert [f.status for f in result.files] == ["error"]
    assert "cannot run" in result.problems[0]


def test_stray_targets_are_skipped_with_a_note(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "README.md").write_text("hi\n")
    result = collect(tmp_path, PYTHON, [Path("README.md"), Path("gone.py")], timeout=60)
    assert result.files == []
    assert len(result.problems) == 2


def test_conftest_error_below_a_directory_blocks_only_that_directory(tmp_path):
    files = {
        "pytest.ini": "[pytest]\n",
        "tests/test_top.py": "def test_top(): pass\n",
        "tests/deep/conftest.py": "x = 1\nraise ValueError('conftest refuses')\n",
        "tests/deep/test_d1.py": "def test_d1(): pass\n",
        "tests/deep/inner/test_d2.py": "def test_d2(): pass\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(textwrap.dedent(text))
    result = collect(tmp_path, PYTHON, None, timeout=60)
    assert summary(tmp_path, result) == {
        "tests/deep/inner/test_d2.py": ("error", 0, "ValueError", None, ("tests/deep/conftest.py", 2)),
        "tests/deep/test_d1.py": ("error", 0, "ValueError", None, ("tests/deep/conftest.py", 2)),
        "tests/test_top.py": ("ok", 1, None, None, None),
    }


@pytest.mark.parametrize(
    "files, expected",
    [
        ({"conftest.py": "def pytest_configure(config):\n    raise ValueError('configure broken')\n"},
         "INTERNALERROR> ValueError: configure broken"),
        ({"pytest.ini": "[pytest]\naddopts = --no-such-option\n"}, "pytest: error: unrecognized arguments: --no-such-option"),
    ],
)
def test_start_up_failures_fail_every_file_with_pytests_words(tmp_path, files, expected):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_a(): pass\n")
    (tmp_path / "test_b.py").write_text("def test_b(): pass\n")
    for relative, text in files.items():
        (tmp_path / relative).write_text(text)
    result = collect(tmp_path, PYTHON, None, timeout=60)
    assert [(rel(tmp_path, f), f.status, f.error.type) for f in result.files] == [
        ("test_b.py", "error", "PytestError"), ("tests/test_a.py", "error", "PytestError"),
    ]
    assert all(f.error.message.endswith(expected) for f in result.files)


@pytest.mark.parametrize("explicit", [True, False], ids=["explicit-files", "whole-project"])
def test_a_conftest_that_hangs_blocks_only_its_directory(tmp_path, explicit, live_processes):
    files = {
        "pytest.ini": "[pytest]\n",
        "tests/slow/conftest.py": "import time\nwhile True:\n    time.sleep(0.01)\n",
        "tests/slow/test_s.py": "def test_s(): pass\n",
        "tests/test_ok.py": "def test_ok(): pass\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    targets = [Path("tests/slow/test_s.py"), Path("tests/test_ok.py")] if explicit else None
    result = collect(tmp_path, PYTHON, targets, timeout=2)
    facts = summary(tmp_path, result)
    assert facts["tests/test_ok.py"] == ("ok", 1, None, None, None)
    status, tests, kind, line, where = facts["tests/slow/test_s.py"]
    assert (status, tests, kind, line) == ("error", 0, "Timeout", None)
    assert where[0] == "tests/slow/conftest.py" and where[1] in (2, 3)
    assert live_processes(tmp_path) == []
