"""End to end in a real VS Code: code-server 1.139 in headless Chromium runs the built `.vsix` on examples/backend.

One session (module fixture) copies examples/backend to a temporary workspace, installs the product
`.vsix` (built by `client-vscode/ci.sh`) and a test-only probe extension into a fresh code-server, starts
it on 127.0.0.1, and runs `driver.mjs`: it opens the workspace in headless Chromium, waits for the
diagnostics, reads the status bar and the code lenses, takes a screenshot, applies "Convert to absolute
import" and the cross-file "Add compatibility alias" through the Ctrl+. menu and saves (Ctrl+S in the file,
then in the other file's tab). The tests below assert on what the driver saw and on the files on disk,
against what the CLI (`importsense check` / `collect --format json`) says about the same project.

The host (code-server, Node 24, playwright-core, chromium) is installed by `install-host.sh`. When it is
not installed the module is skipped with the reason; under CI (`CI` set) it fails instead, because
`.ci/run` installs it. Screenshots and logs go to tests/editors/vscode/artifacts/ (gitignored).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from vscode_host import (
    DRIVER,
    EXTENSION_ID,
    PROBE_ID,
    REPO,
    CodeServer,
    Dirs,
    Host,
    HostUnavailable,
    install_extensions,
    probe_vsix,
    product_vsix,
)

HERE = Path(__file__).resolve().parent
EXAMPLE = REPO / "examples" / "backend"
ARTIFACTS = Path(os.environ.get("IMPORTSENSE_VSCODE_ARTIFACTS", HERE / "artifacts"))
DRIVER_TIMEOUT_S = 150  # the driver's own watchdog; the subprocess gets a little more
SESSION_TIMEOUT_S = 420  # everything: the CLI runs, a .vsix rebuild if stale, extension install, code-server, driver

RELATIVE = {"file": "app/ws/manager.py", "line": 3, "code": "relative-import",
            "action": "Convert to absolute import"}
ALIAS = {"file": "tests/integration/test_rate_limit.py", "line": 1, "code": "missing-name",
         "action": "Add compatibility alias `check_rate_limit = enforce_rate_limit`"}
ALIAS_TARGET = "app/utils/rate_limit.py"
ALIAS_LINE = "check_rate_limit = enforce_rate_limit"
COLLECTION_FILE = "tests/integration/test_websocket.py"


# ---- the CLI's view of the same project (what VS Code must agree with) -----------------------------

def cli_json(*args: str, cwd: Path) -> Any:
    done = subprocess.run([sys.executable, "-m", "importsense", *args, "--format", "json", "."], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)
    if not done.stdout.strip():
        raise AssertionError(f"importsense {' '.join(args)} printed nothing (exit {done.returncode}): {done.stderr}")
    return json.loads(done.stdout)


def expected_status_text(collect: dict[str, Any]) -> str:
    """The status bar text client-vscode shows for this collection result (collectionModel.statusText)."""
    files = [f for f in collect["files"]]
    errors = sum(1 for f in files if f["status"] == "error")
    noun = "test file" if len(files) == 1 else "test files"
    return f"importsense: {len(files)} {noun}, {errors} {'fails' if errors == 1 else 'fail'} to collect"


# ---- the session --------------------------------------------------------------------------------

@dataclass
class Session:
    """What one drive of the workbench produced: the driver's report, the workspace, the logs, the CLI's view."""

    report: dict[str, Any]
    workspace: Path
    pristine: Path
    logs: dict[str, str]
    findings: list[dict[str, Any]]
    collect_before: dict[str, Any]
    collect_fixed: dict[str, Any]
    collect_after: dict[str, Any]
    installed: list[str]

    def step(self, name: str) -> dict[str, Any]:
        record = self.report.get("steps", {}).get(name)
        if record is None:
            fatal = self.report.get("fatal") or "an earlier step stopped the driver"
            pytest.fail(f"the driver never ran step {name!r}: {fatal}\n{self.log_tail()}")
        if not record.get("ok"):
            pytest.fail(f"step {name!r} failed in the workbench: {record.get('error')}\n"
                        f"screenshot: {record.get('screenshot')}\n{self.log_tail()}")
        return record

    def log_tail(self) -> str:
        parts = []
        for name, text in self.logs.items():
            if text.strip():
                parts.append(f"--- {name} (last lines)\n" + "\n".join(text.splitlines()[-25:]))
        return "\n".join(parts)


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"VS Code host unavailable under CI: {reason}", pytrace=False)
    pytest.skip(f"VS Code host unavailable: {reason}")


def copy_example(target: Path) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(
        "__pycache__", ".pytest_cache", ".importsense_cache", ".benchmarks"))
    return target


def machine_settings(python: str) -> dict[str, Any]:
    """Remote (machine) settings: VS Code ignores machine-scoped settings such as importsense.interpreter in the
    user settings of a remote window, and a code-server window is one; they go in Machine/settings.json."""
    return {"importsense.interpreter": python}


def user_settings() -> dict[str, Any]:
    return {
        # The extension under test: check at once; collect on open.
        "importsense.debounce": 0,
        "importsense.collection": "onOpen",
        "importsense.trace.server": "messages",
        # A trusted workspace (collection runs pytest only there), and a quiet, offline workbench.
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "workbench.welcomePage.walkthroughs.openOnInstall": False,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "workbench.colorTheme": "Default Dark Modern",
        "chat.disableAIFeatures": True,
        "extensions.ignoreRecommendations": True,
        "extensions.autoUpdate": False,
        "extensions.autoCheckUpdates": False,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "files.autoSave": "off",
        "editor.codeLens": True,
        "editor.minimap.enabled": False,
        "window.commandCenter": False,
        "git.enabled": False,
        "remote.autoForwardPorts": False,
    }


def read_logs(root: Path) -> dict[str, str]:
    """code-server's log, the importsense output channel, the extension host log and the driver's log, when there."""
    logs = {}
    for name, pattern in [("code-server", "code-server.log"),
                          ("importsense output", "host/user-data/logs/**/*importsense*.log"),
                          ("extension host", "host/user-data/logs/**/exthost.log"),
                          ("driver", "driver.log")]:
        found = sorted(root.glob(pattern))
        if found:
            logs[name] = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in found)
    return logs


class SessionTimeout(Exception):
    """The whole session ran past SESSION_TIMEOUT_S."""


@contextlib.contextmanager
def hard_timeout(seconds: int) -> Iterator[None]:
    """Raise SessionTimeout in this (main) thread after `seconds`, wherever it is waiting."""
    def expire(signum: int, frame: object) -> None:
        raise SessionTimeout(f"the VS Code session ran past its {seconds} s limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def apply_known_fixes(project: Path) -> None:
    """The two edits the quick fixes should make, done by hand: the expected state after them."""
    manager = project / RELATIVE["file"]
    manager.write_text(manager.read_text(encoding="utf-8").replace("from .types import", "from app.ws.types import"),
                       encoding="utf-8")
    target = project / ALIAS_TARGET
    target.write_text(target.read_text(encoding="utf-8") + f"\n\n{ALIAS_LINE}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    try:
        host = Host.locate()
    except HostUnavailable as error:
        unavailable(str(error))
        raise
    root = tmp_path_factory.mktemp("vscode-e2e")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("*.log"), *ARTIFACTS.glob("*.json")]:
        old.unlink()
    try:
        with hard_timeout(SESSION_TIMEOUT_S):
            yield drive(host, root)
    except SessionTimeout as error:
        pytest.fail(f"{error}\n" + "\n".join(f"--- {k}\n{v[-2000:]}" for k, v in read_logs(root).items()),
                    pytrace=False)


def drive(host: Host, root: Path) -> Session:
    """Set up the workspace and code-server, run the driver once, and gather what it saw."""
    workspace = copy_example(root / "backend")
    pristine = copy_example(root / "pristine")
    fixed = copy_example(root / "fixed")
    apply_known_fixes(fixed)
    findings = cli_json("check", cwd=pristine)
    collect_before = cli_json("collect", cwd=pristine)
    collect_fixed = cli_json("collect", cwd=fixed)

    try:
        vsix = product_vsix(root / "vsix-build.log")
    except RuntimeError as error:
        pytest.fail(f"could not build the product .vsix: {error}", pytrace=False)

    dirs = Dirs(root / "host", Path(tempfile.mkdtemp(prefix="importsense-vscode-")))
    log = root / "code-server.log"
    server = CodeServer(host, dirs, log)
    report_path = root / "report.json"
    try:
        dirs.make()
        (dirs.user_data / "User" / "settings.json").write_text(json.dumps(user_settings(), indent=2),
                                                              encoding="utf-8")
        (dirs.user_data / "Machine" / "settings.json").write_text(
            json.dumps(machine_settings(sys.executable), indent=2), encoding="utf-8")
        try:
            installed = install_extensions(host, dirs, [vsix, probe_vsix(root)], log)
            url = server.start()
        except HostUnavailable as error:
            unavailable(str(error))
            raise
        config = {
            "url": url, "folder": str(workspace), "nodeModules": str(host.node_modules),
            "chromium": str(chromium_binary(host.chromium)), "profileDir": str(root / "chromium-profile"),
            "portFile": str(dirs.port_file), "artifacts": str(ARTIFACTS), "report": str(report_path),
            "timeoutMs": DRIVER_TIMEOUT_S * 1000,
            "files": {
                "relative": RELATIVE,
                "alias": ALIAS,
                "collection": {"file": COLLECTION_FILE, "line": collection_line(collect_before), "code": None},
            },
            "aliasTarget": ALIAS_TARGET,
            "statusBefore": expected_status_text(collect_before),
            "statusAfter": expected_status_text(collect_fixed),
            # For working on the driver: IMPORTSENSE_VSCODE_STEPS=addAlias,screenshot runs only those steps.
            "only": [name for name in os.environ.get("IMPORTSENSE_VSCODE_STEPS", "").split(",") if name] or None,
        }
        config_path = root / "driver.json"
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        with (root / "driver.log").open("w", encoding="utf-8") as driver_log:
            subprocess.run([str(host.node), str(DRIVER), str(config_path)], env=dirs.env(host), cwd=root,
                           stdout=driver_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           timeout=DRIVER_TIMEOUT_S + 30, check=False, start_new_session=True)
    except subprocess.TimeoutExpired:
        pass  # the report says how far it got
    finally:
        server.stop()
        shutil.rmtree(dirs.tmp, ignore_errors=True)
        for name, text in read_logs(root).items():
            (ARTIFACTS / f"{name.replace(' ', '-')}.log").write_text(text, encoding="utf-8")
    logs = read_logs(root)
    if not report_path.is_file():
        pytest.fail(f"the driver wrote no report\n{logs.get('driver', '')[-3000:]}", pytrace=False)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    shutil.copy(report_path, ARTIFACTS / "report.json")
    return Session(report=report, workspace=workspace, pristine=pristine, logs=logs, findings=findings,
                   collect_before=collect_before, collect_fixed=collect_fixed,
                   collect_after=cli_json("collect", cwd=workspace), installed=installed)


def chromium_binary(wrapper: Path) -> Path:
    """Debian's /usr/bin/chromium is a shell wrapper; drive the binary it execs."""
    real = Path("/usr/lib/chromium/chromium")
    return real if real.is_file() else wrapper


def collection_line(collect: dict[str, Any]) -> int:
    entry = next(f for f in collect["files"] if f["path"] == COLLECTION_FILE)
    assert entry["status"] == "error" and entry["error"]["line"], entry
    return int(entry["error"]["line"])


def diagnostics_of(session: Session, file: str) -> list[dict[str, Any]]:
    return session.step("diagnostics")["files"][file]


def importsense_only(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in diagnostics if d.get("source") == "importsense"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# ---- the host ---------------------------------------------------------------------------------------

def test_real_vscode_runs_the_built_extension(session: Session) -> None:
    state = session.step("workbench")["state"]
    assert state["vscodeVersion"].startswith("1.139."), state
    manifest = json.loads((REPO / "client-vscode" / "package.json").read_text(encoding="utf-8"))
    assert state["importsense"] == {"active": True, "version": manifest["version"]}
    assert f"{EXTENSION_ID}@{manifest['version']}" in session.installed
    assert any(item.startswith(PROBE_ID) for item in session.installed)
    assert state["trusted"] is True
    assert state["folder"] == str(session.workspace)
    assert state["pythonExtension"] is False  # the interpreter comes from importsense.interpreter alone
    assert Path(state["settings"]["interpreter"]) == Path(sys.executable)
    assert "not running" not in session.step("server")["text"]


# ---- diagnostics ------------------------------------------------------------------------------------

def test_relative_import_is_a_warning_on_its_line(session: Session) -> None:
    found = importsense_only(diagnostics_of(session, RELATIVE["file"]))
    relative = [d for d in found if d["code"] == "relative-import"]
    assert [(d["line"], d["severity"]) for d in relative] == [(3, "warning")], found
    assert "from app.ws.types import" in relative[0]["message"]


def test_missing_name_is_an_error_on_the_name(session: Session) -> None:
    found = importsense_only(diagnostics_of(session, ALIAS["file"]))
    missing = [d for d in found if d["code"] == "missing-name"]
    assert len(missing) == 1, found
    source_line = (session.pristine / ALIAS["file"]).read_text(encoding="utf-8").splitlines()[0]
    name_at = source_line.index("check_rate_limit") + 1  # 1-based code-point column, as the probe reports
    assert (missing[0]["line"], missing[0]["character"], missing[0]["severity"]) == (1, name_at, "error")
    assert "check_rate_limit" in missing[0]["message"]


def test_collection_error_file_has_an_error_on_the_failing_line(session: Session) -> None:
    line = collection_line(session.collect_before)
    found = importsense_only(diagnostics_of(session, COLLECTION_FILE))
    assert any(d["line"] == line and d["severity"] == "error" for d in found), (line, found)


def test_vscode_shows_what_the_cli_finds_and_nothing_more(session: Session) -> None:
    """For each file checked in the workbench, every CLI finding is there; in a non-test file, only those."""
    for file in (RELATIVE["file"], ALIAS["file"], COLLECTION_FILE):
        cli = {(f["line"], f["column"], f["rule"]) for f in session.findings if f["path"] == file}
        shown = {(d["line"], d["character"], d["code"]) for d in importsense_only(diagnostics_of(session, file))}
        assert cli, f"the CLI finds nothing in {file}: the example changed"
        assert cli <= shown, f"{file}: in the CLI but not in VS Code: {sorted(cli - shown)}"
        if not file.startswith("tests/"):
            assert shown == cli, f"{file}: in VS Code but not in the CLI: {sorted(shown - cli)}"


def test_squiggles_are_drawn_in_the_editor(session: Session) -> None:
    assert session.step("diagnostics")["squiggles"] > 0


# ---- collection: status bar and code lens ------------------------------------------------------------

def test_status_bar_shows_the_collection_counts(session: Session) -> None:
    record = session.step("statusBar")
    assert record["text"] == expected_status_text(session.collect_before), record["seen"]


def test_status_bar_follows_a_fix_that_makes_a_file_collect(session: Session) -> None:
    before = expected_status_text(session.collect_before)
    after = expected_status_text(session.collect_after)
    assert after == expected_status_text(session.collect_fixed)  # the fixes on disk are the expected ones
    assert before != after, "the alias fix should make tests/integration/test_rate_limit.py collect"
    record = session.step("statusBarAfterFix")
    assert record["text"] == after, record["seen"]


def test_collection_code_lens_on_a_failing_test_file(session: Session) -> None:
    record = session.step("codeLens")  # taken after the status bar showed the collected counts
    titles = [lens["title"] for lens in record["api"] if lens["title"]]
    entry = next(f for f in session.collect_before["files"] if f["path"] == COLLECTION_FILE)
    # The lens says why pytest cannot collect the file, as `importsense collect` does.
    assert any(entry["error"]["message"] in title for title in titles), (entry["error"], record["api"])
    assert all(any(title in shown for shown in record["shown"]) for title in titles), record


# ---- quick fixes through the Ctrl+. menu -----------------------------------------------------------

def test_convert_to_absolute_import_through_the_menu_and_saved(session: Session) -> None:
    record = session.step("convertToAbsolute")
    assert any(row.startswith(RELATIVE["action"]) for row in record["menu"]), record["menu"]
    before = (session.pristine / RELATIVE["file"]).read_text(encoding="utf-8").splitlines()
    after = (session.workspace / RELATIVE["file"]).read_text(encoding="utf-8").splitlines()
    assert after[2] == "from app.ws.types import BatchMessage, WebSocketManager"
    assert after[:2] + after[3:] == before[:2] + before[3:]  # nothing else changed
    assert not any(d["code"] == "relative-import" for d in record["after"]), record["after"]


def test_add_compatibility_alias_edits_the_other_file_and_both_are_saved(session: Session) -> None:
    record = session.step("addAlias")
    assert any(row.startswith(ALIAS["action"]) for row in record["menu"]), record["menu"]
    assert ALIAS_TARGET in record["dirtyAfterApply"]  # applied in an unsaved editor, as VS Code does
    assert record["tabDirty"] is True  # and the user sees it: the tab is marked unsaved
    assert record["dirtyAfterSave"] == []
    target = (session.workspace / ALIAS_TARGET).read_text(encoding="utf-8")
    pristine_target = (session.pristine / ALIAS_TARGET).read_text(encoding="utf-8")
    assert target.startswith(pristine_target.rstrip("\n"))
    last = [line for line in target.splitlines() if line.strip()][-1]
    assert last.split("#")[0].strip() == ALIAS_LINE, last
    compile(target, ALIAS_TARGET, "exec")
    # The test file itself is left as it was: the fix goes where the name should be defined.
    assert (session.workspace / ALIAS["file"]).read_bytes() == (session.pristine / ALIAS["file"]).read_bytes()
    assert not any(d["code"] == "missing-name" and d["line"] == 1 for d in record["after"]), record["after"]


def test_the_cli_agrees_the_two_fixes_landed(session: Session) -> None:
    findings = cli_json("check", cwd=session.workspace)
    rules = {(f["path"], f["line"], f["rule"]) for f in findings}
    assert (RELATIVE["file"], 3, "relative-import") not in rules
    assert (ALIAS["file"], 1, "missing-name") not in rules
    untouched = {(f["path"], f["line"], f["rule"]) for f in session.findings
                 if f["path"] not in (RELATIVE["file"], ALIAS["file"])}
    assert untouched <= rules  # the other findings are all still there


# ---- the screenshot -------------------------------------------------------------------------------

def test_screenshot_of_the_editor_with_diagnostics(session: Session) -> None:
    record = session.step("screenshot")
    shot = Path(record["path"])
    assert shot.is_file() and shot.parent == ARTIFACTS
    assert png_size(shot) == (1440, 900)
    assert shot.stat().st_size > 50_000  # a drawn workbench, not a blank page
