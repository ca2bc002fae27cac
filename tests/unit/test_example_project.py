"""The bundled example project: every rule fires exactly where the example says."""

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "backend"

EXPECTED = {
    ("app/legacy.py", 4, "syntax-error", "error"),
    ("app/schemas/__init__.py", 3, "unresolved-module", "error"),  # case mismatch: User.py
    ("app/ws/manager.py", 3, "relative-import", "warning"),
    ("tests/integration/test_auth.py", 8, "missing-attribute", "error"),  # AuthFailoverService.authenticate
    ("tests/integration/test_auth.py", 11, "invalid-patch-target", "error"),
    ("tests/integration/test_legacy.py", 1, "invalid-relative-import", "error"),
    ("tests/integration/test_rate_limit.py", 1, "missing-name", "error"),  # check_rate_limit
    ("tests/integration/test_rate_limit.py", 10, "missing-attribute", "error"),
    ("tests/integration/test_schemas.py", 1, "missing-name", "information"),  # cascade of the case mismatch
    ("tests/integration/test_websocket.py", 3, "relative-import", "warning"),
    ("tests/integration/test_websocket.py", 4, "unresolved-module", "error"),  # batch_message_types moved
    ("tests/integration/test_websocket.py", 5, "missing-name", "error"),  # ConnectionExecutor renamed
}


def run_check(*args: str, cwd: Path = EXAMPLE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "importsense", "check", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_every_rule_fires_where_expected():
    result = run_check(".", "--format", "json")
    assert result.returncode == 1, result.stderr
    found = {(f["path"], f["line"], f["rule"], f["severity"]) for f in json.loads(result.stdout)}
    assert found == EXPECTED


def test_json_schema_and_fixes():
    items = json.loads(run_check(".", "--format", "json").stdout)
    keys = {"path", "line", "column", "end_line", "end_column", "rule", "severity", "message", "suggestions", "fix"}
    assert all(set(item) == keys for item in items)
    relative = [i for i in items if i["rule"] == "relative-import"]
    assert all(i["fix"] and i["fix"]["edits"][0]["new_text"] in ("app.ws.types", "tests.helpers") for i in relative)
    moved = next(i for i in items if i["rule"] == "unresolved-module" and "batch_message_types" in i["message"])
    assert moved["fix"]["title"] == "Import from app.ws.types instead"
    rules = {i["rule"] for i in items}
    assert rules == {"syntax-error", "unresolved-module", "relative-import", "missing-attribute",
                     "invalid-patch-target", "invalid-relative-import", "missing-name"}
