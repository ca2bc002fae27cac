"""The check command end to end: formats, exit codes, --fix, bad input, configuration errors."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[3] / "examples" / "backend"


def run(args, cwd: Path, env_extra=None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "importsense", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env=env)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    target = tmp_path / "backend"
    shutil.copytree(EXAMPLE, target)
    return target


def test_text_output_and_exit_code(example):
    result = run(["check", "."], example)
    assert result.returncode == 1
    assert "tests/integration/test_rate_limit.py:1:34: missing-name [error]" in result.stdout
    assert "help: did you mean 'enforce_rate_limit'?" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("Found 12 findings")


def test_exit_zero_select_and_ignore(example):
    assert run(["check", ".", "--exit-zero"], example).returncode == 0
    only_relative = run(["check", ".", "--select", "relative-import", "--format", "json"], example)
    assert only_relative.returncode == 0  # warnings only
    assert {i["rule"] for i in json.loads(only_relative.stdout)} == {"relative-import"}
    ignored = run(["check", ".", "--ignore", "syntax-error,missing-name", "--format", "json"], example)
    assert not {i["rule"] for i in json.loads(ignored.stdout)} & {"syntax-error", "missing-name"}
    bad_rule = run(["check", ".", "--select", "no-such-rule"], example)
    assert bad_rule.returncode == 2 and "unknown rule" in bad_rule.stderr


def test_github_and_sarif(example):
    github = run(["check", ".", "--format", "github"], example).stdout.splitlines()
    assert any(line.startswith("::error file=tests/integration/test_auth.py,line=8,") for line in github)
    sarif = json.loads(run(["check", ".", "--format", "sarif"], example).stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert len(results) == 12
    assert {r["level"] for r in results} == {"error", "warning", "note"}


def test_fix_rewrites_relative_imports_only(example):
    before = (example / "tests/integration/test_auth.py").read_text()
    result = run(["check", ".", "--fix", "--format", "json"], example)
    assert "fixed: app/ws/manager.py" in result.stderr
    assert (example / "app/ws/manager.py").read_text().startswith(
        '"""Connection pool built on the manager."""\n\nfrom app.ws.types import BatchMessage, WebSocketManager\n')
    assert "from tests.helpers import make_urls" in (example / "tests/integration/test_websocket.py").read_text()
    assert (example / "tests/integration/test_auth.py").read_text() == before
    rules = {i["rule"] for i in json.loads(result.stdout)}
    assert "relative-import" not in rules and "invalid-relative-import" in rules


def test_bad_inputs_are_messages_not_tracebacks(example):
    (example / "loop").symlink_to(example, target_is_directory=True)
    locked = example / "locked"
    locked.mkdir()
    (locked / "x.py").write_text("import os\n")
    locked.chmod(0)
    (example / "bad.py").write_bytes(b"x = '\xff'\n")
    try:
        result = run(["check", ".", "nonexistent.py", "--format", "json"], example)
    finally:
        locked.chmod(0o755)
    assert "Traceback" not in result.stderr
    assert "nonexistent.py: no such file or directory" in result.stderr
    items = json.loads(result.stdout)
    assert any(i["path"] == "bad.py" and "UTF-8" in i["message"] for i in items)
    if os.geteuid() != 0:  # root can read a mode-000 directory
        assert "locked" in result.stderr


def test_missing_path_only_is_a_usage_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    result = run(["check", "does_not_exist.py"], tmp_path)
    assert result.returncode == 2 and "no such file" in result.stderr


@pytest.mark.parametrize(
    "content, expected",
    [
        ("[tool.importsense\n", "invalid TOML"),
        ('[tool.importsense]\nroots = "src"\nselect = 3\n', "'select' must be a list of strings"),
        ('[tool.importsense]\nseverity = {"missing-name" = "loud"}\n', "must be one of error, warning"),
        ('[tool.importsense]\nunknown_key = 1\n', "unknown key 'unknown_key'"),
        ('[tool.importsense]\nselect = ["nope"]\n', "unknown rule 'nope'"),
    ],
)
def test_invalid_configuration_is_one_clear_error(tmp_path, content, expected):
    (tmp_path / "pyproject.toml").write_text(content)
    (tmp_path / "a.py").write_text("import os\n")
    result = run(["check", "."], tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr and "pyproject.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_severity_override_and_missing_interpreter(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importsense]\nseverity = {"relative-import" = "error"}\npython = "/nonexistent/python"\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("from .a import b\nimport some_uninstalled_zz\n")
    (tmp_path / "pkg/a.py").write_text("b = 1\n")
    result = run(["check", ".", "--format", "json"], tmp_path)
    items = json.loads(result.stdout)
    assert [(i["rule"], i["severity"]) for i in items] == [("relative-import", "error"),
                                                           ("unresolved-module", "information")]
    assert "interpreter not found" in result.stderr
    assert result.returncode == 1
