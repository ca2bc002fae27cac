"""Test collection in the language server end to end: status request, code lens, collection-error, triggers, trust.

A real `importsense serve` subprocess on a copy of `examples/backend`, with a root `conftest.py` that
appends to a marker file outside the project whenever pytest imports it (and the paths pytest was given),
so the tests see exactly when pytest ran, and on what.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from e2e_support import (
    CLIENTS,
    SERVER,
    SERVER_ENV,
    Editor,
    capabilities_for,
    make_client,
    write_tree,
)
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "backend"
TEST_FILES = [
    "tests/integration/test_auth.py",
    "tests/integration/test_legacy.py",
    "tests/integration/test_rate_limit.py",
    "tests/integration/test_schemas.py",
    "tests/integration/test_websocket.py",
    "tests/test_manager.py",
]
SETTLED = ("ok", "error")
WAIT = 30.0


def make_collection_client() -> LanguageClient:
    """The e2e client, also counting `importsense/collectionChanged` and `workspace/codeLens/refresh`."""
    client = make_client()
    client.collection_changed = []  # type: ignore[attr-defined]
    client.lens_refreshes = 0  # type: ignore[attr-defined]

    @client.feature("importsense/collectionChanged")
    def collection_changed(ls: LanguageClient, params: Any = None) -> None:
        ls.collection_changed.append(params)  # type: ignore[attr-defined]

    @client.feature(t.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(ls: LanguageClient, params: Any = None) -> None:
        ls.lens_refreshes += 1  # type: ignore[attr-defined]

    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_collection_client,
                            server_env={**SERVER_ENV, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})


@pytest_lsp.fixture(config=CONFIG, params=CLIENTS)
async def lsp(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    lsp_client.client_name = request.param  # type: ignore[attr-defined]
    yield
    try:
        await asyncio.wait_for(lsp_client.shutdown_session(), 10)
    except Exception:  # noqa: BLE001, S110 - a test that killed the server has already failed
        pass


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "pytest-ran.txt"


@pytest.fixture
def backend(tmp_path: Path, marker: Path) -> Path:
    """examples/backend copied, plus a conftest.py that records every pytest run in `marker`."""
    root = tmp_path / "backend"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    write_tree(root, {"conftest.py": (
        "import pathlib\n\n"
        f"MARKER = pathlib.Path({str(marker)!r})\n"
        "with MARKER.open('a') as _out:\n"
        "    _out.write('imported\\n')\n\n\n"
        "def pytest_configure(config):\n"
        "    with MARKER.open('a') as out:\n"
        "        out.write('args ' + ' '.join(sorted(str(a) for a in config.args)) + '\\n')\n"
    )})
    return root.resolve()


# ---- helpers -----------------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """pygls hands custom results over as attribute objects: back to dicts and lists."""
    if hasattr(value, "_asdict"):
        value = value._asdict()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


async def collection_status(editor: Editor) -> dict[str, Any]:
    result = await asyncio.wait_for(editor.client.protocol.send_request_async("importsense/collectionStatus", {}), 10)
    return plain(result)


def by_path(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["path"]: entry for entry in status["files"]}


async def wait_status(editor: Editor, predicate: Callable[[dict[str, dict[str, Any]]], bool],
                      timeout: float = WAIT) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = await collection_status(editor)
        if not status["indexing"] and predicate(by_path(status)):
            return status
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for the collection status; last: {status}")


def all_settled(files: dict[str, dict[str, Any]]) -> bool:
    return sorted(files) == TEST_FILES and all(f["status"] in SETTLED for f in files.values())


def all_static(files: dict[str, dict[str, Any]]) -> bool:
    return sorted(files) == TEST_FILES


async def lens_titles(editor: Editor, uri: str) -> list[str]:
    lenses = await editor.client.text_document_code_lens_async(t.CodeLensParams(t.TextDocumentIdentifier(uri)))
    for lens in lenses or []:
        assert lens.range.start == t.Position(0, 0)
    return [lens.command.title for lens in lenses or [] if lens.command is not None]


def collection_errors(diagnostics: list[t.Diagnostic]) -> list[t.Diagnostic]:
    return [d for d in diagnostics if d.code == "collection-error"]


def save(editor: Editor, uri: str, relative: str, new_text: str) -> None:
    """What an editor does on save: the buffer changes, is written to disk, didSave."""
    editor.send_changes(uri, [t.TextDocumentContentChangeWholeDocument(text=new_text)], new_text)
    (editor.root / relative).write_text(new_text, encoding="utf-8")
    editor.client.text_document_did_save(t.DidSaveTextDocumentParams(t.TextDocumentIdentifier(uri)))


def runs(marker: Path) -> list[str]:
    """The paths of each pytest run, as the conftest recorded them."""
    if not marker.exists():
        return []
    return [line[len("args "):] for line in marker.read_text().splitlines() if line.startswith("args")]


def no_errors_logged(editor: Editor) -> None:
    errors = [m.message for m in editor.client.log_messages if m.type in (t.MessageType.Error, t.MessageType.Warning)]
    assert errors == []


async def start(lsp: LanguageClient, root: Path, settings: dict[str, Any]) -> Editor:
    name = lsp.client_name  # type: ignore[attr-defined]
    return await Editor(lsp, root, capabilities_for(name), name).start({"debounce": 0, **settings})


# ---- tests ---------------------------------------------------------------------------------------

async def test_on_open_collects_the_workspace_and_a_save_recollects_what_it_affects(lsp, backend: Path, marker: Path):
    editor = await start(lsp, backend, {"collection": "onOpen", "trusted": True})
    assert editor.result.capabilities.code_lens_provider is not None
    assert "importsense.recollect" in editor.result.capabilities.execute_command_provider.commands
    manager = editor.open("tests/test_manager.py")
    rate_test = editor.open("tests/integration/test_rate_limit.py")

    status = await wait_status(editor, all_settled)
    files = by_path(status)
    websocket = files["tests/integration/test_websocket.py"]
    assert websocket["status"] == "error"
    assert websocket["error"]["line"] == 4 and websocket["error"]["type"] == "ModuleNotFoundError"
    assert "app.ws.batch_message_types" in websocket["error"]["message"]
    assert files["tests/test_manager.py"] == {"uri": manager, "path": "tests/test_manager.py", "status": "ok",
                                              "tests": 4, "error": None}
    assert files["tests/integration/test_auth.py"]["status"] == "ok" and files["tests/integration/test_auth.py"]["tests"] == 3
    assert [p for p, f in files.items() if f["status"] == "error"] == [
        "tests/integration/test_legacy.py", "tests/integration/test_rate_limit.py",
        "tests/integration/test_schemas.py", "tests/integration/test_websocket.py"]
    assert status["summary"] == {"files": 6, "tests": 7, "errors": 4}
    assert runs(marker) == ["tests"]  # one run: the workspace, as pytest collects it by itself

    assert await lens_titles(editor, manager) == ["✓ 4 tests collected"]
    (rate_lens,) = await lens_titles(editor, rate_test)
    assert rate_lens.startswith("✗ collection fails: ImportError: cannot import name 'check_rate_limit'")
    assert rate_lens.endswith("(line 1)")
    assert await lens_titles(editor, editor.uri("app/utils/rate_limit.py")) == []  # not a test file

    (error,) = collection_errors(await editor.wait_for(rate_test, lambda d: any(
        "cannot import name" in x.message for x in collection_errors(d))))
    assert error.range.start.line == 0 and error.range.end.line == 0
    assert error.source == "importsense" and error.severity == t.DiagnosticSeverity.Error
    assert error.message.startswith("collection fails: ImportError: cannot import name 'check_rate_limit'")
    assert collection_errors(await editor.diagnostics(manager)) == []

    progress = [v for values in editor.client.progress_reports.values() for v in values]
    assert any(isinstance(v, t.WorkDoneProgressBegin) and v.title.startswith("Collecting tests") for v in progress)
    assert editor.client.collection_changed  # type: ignore[attr-defined]
    assert editor.client.collection_changed[-1] is None  # type: ignore[attr-defined]  # no params

    # Saving the module the test imports re-collects only that test file, and it collects now.
    module = "app/utils/rate_limit.py"
    module_uri = editor.open(module)
    fixed = editor.texts[module_uri] + "\n\ndef check_rate_limit(): ...\n"
    save(editor, module_uri, module, fixed)
    status = await wait_status(editor, lambda f: f["tests/integration/test_rate_limit.py"]["status"] == "ok")
    files = by_path(status)
    assert files["tests/integration/test_rate_limit.py"]["tests"] == 2
    assert files["tests/integration/test_websocket.py"]["status"] == "error"
    assert status["summary"] == {"files": 6, "tests": 9, "errors": 3}
    assert runs(marker) == ["tests", "tests/integration/test_rate_limit.py"]
    assert collection_errors(await editor.wait_for(rate_test, lambda d: collection_errors(d) == [])) == []
    assert await lens_titles(editor, rate_test) == ["✓ 2 tests collected"]
    refresh = editor.capabilities.workspace.code_lens
    if refresh is not None and refresh.refresh_support:  # lenses were asked for: refreshed when statuses change
        for _ in range(40):
            if editor.client.lens_refreshes:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.05)
        assert editor.client.lens_refreshes > 0  # type: ignore[attr-defined]
    no_errors_logged(editor)


async def test_untrusted_or_off_never_runs_pytest_and_shows_the_static_view(lsp, backend: Path, marker: Path):
    editor = await start(lsp, backend, {"collection": "onOpen", "trusted": False,
                                        "severity": {"collection-error": "warning"}})
    manager = editor.open("tests/test_manager.py")
    rate_test = editor.open("tests/integration/test_rate_limit.py")
    schemas = editor.open("tests/integration/test_schemas.py")

    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and not any(  # indexing ends ...
            isinstance(v, t.WorkDoneProgressEnd) for values in editor.client.progress_reports.values() for v in values):
        await asyncio.sleep(0.001)
    status = await collection_status(editor)  # ... and the very next status has the static view
    assert not status["indexing"] and all_static(by_path(status)), status
    files = by_path(status)
    assert {p: f["status"] for p, f in files.items()} == {
        "tests/integration/test_auth.py": "static",
        "tests/integration/test_legacy.py": "error",
        "tests/integration/test_rate_limit.py": "error",
        "tests/integration/test_schemas.py": "error",
        "tests/integration/test_websocket.py": "error",
        "tests/test_manager.py": "static",
    }
    assert files["tests/test_manager.py"]["tests"] == 4 and files["tests/test_manager.py"]["error"] is None
    assert files["tests/integration/test_websocket.py"]["error"]["line"] == 4
    assert await lens_titles(editor, manager) == ["… static estimate: 4 tests"]
    # The static estimate of a failure raised in another module (app/schemas/__init__.py imports a file whose
    # case differs) is a collection-error; one whose cause is in the test file is left to that line's rule.
    (error,) = collection_errors(await editor.wait_for(schemas, lambda d: collection_errors(d) != []))
    assert error.range.start.line == 0 and error.severity == t.DiagnosticSeverity.Warning
    assert error.message.startswith("collection fails (static estimate): ImportError: imports UserSchema")
    if error.related_information:  # when the client supports it
        (related,) = error.related_information
        assert related.location.uri == editor.uri("app/schemas/__init__.py") and related.location.range.start.line == 2
    assert collection_errors(await editor.diagnostics(rate_test)) == []  # its missing-name says it

    editor.client.workspace_did_change_configuration(t.DidChangeConfigurationParams(
        settings={"debounce": 0, "collection": "onOpen", "trusted": False, "ignore": ["collection-error"]}))
    remaining = await editor.wait_for(schemas, lambda d: d != [] and collection_errors(d) == [])
    assert [d.code for d in remaining] == ["missing-name"]  # the cascade, at information severity

    answer = await editor.client.workspace_execute_command_async(t.ExecuteCommandParams(command="importsense.recollect"))
    assert "not trusted" in answer["message"]
    save(editor, manager, "tests/test_manager.py", editor.texts[manager] + "\n")

    # Trusted, but collection is off: still nothing runs.
    editor.client.workspace_did_change_configuration(t.DidChangeConfigurationParams(
        settings={"debounce": 0, "collection": "off", "trusted": True}))
    await asyncio.sleep(0.3)
    answer = await editor.client.workspace_execute_command_async(t.ExecuteCommandParams(command="importsense.recollect"))
    assert "off" in answer["message"]
    save(editor, manager, "tests/test_manager.py", editor.texts[manager] + "\n")
    await asyncio.sleep(1.5)
    assert not marker.exists()
    assert all(f["status"] in ("static", "error") for f in (await collection_status(editor))["files"])

    # onSave: saving a test file collects that file, and only it.
    editor.client.workspace_did_change_configuration(t.DidChangeConfigurationParams(
        settings={"debounce": 0, "collection": "onSave", "trusted": True}))
    await asyncio.sleep(0.3)
    save(editor, manager, "tests/test_manager.py", editor.texts[manager] + "\n")
    status = await wait_status(editor, lambda f: f["tests/test_manager.py"]["status"] == "ok")
    assert await lens_titles(editor, manager) == ["✓ 4 tests collected"]
    assert by_path(status)["tests/integration/test_auth.py"]["status"] == "static"
    assert runs(marker) == ["tests/test_manager.py"]

    # importsense.recollect: the whole workspace, with progress, answered when done.
    answer = await editor.client.workspace_execute_command_async(t.ExecuteCommandParams(command="importsense.recollect"))
    assert (answer["files"], answer["tests"], answer["errors"]) == (6, 7, 4)
    assert "6 test files" in answer["message"]
    assert all_settled(by_path(await collection_status(editor)))
    progress = [v for values in editor.client.progress_reports.values() for v in values]
    assert any(isinstance(v, t.WorkDoneProgressBegin) and v.title.startswith("Collecting tests") for v in progress)
    no_errors_logged(editor)


@pytest.mark.parametrize("lsp", ["neovim"], indirect=True)
async def test_a_closed_test_file_that_cannot_be_collected_is_in_the_workspace_pull(lsp, backend: Path):
    capabilities = capabilities_for("neovim")  # a client that pulls and can be asked to re-pull
    capabilities.workspace.diagnostics = t.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    editor = await Editor(lsp, backend, capabilities, "neovim").start(
        {"debounce": 0, "collection": "onOpen", "trusted": False})
    assert editor.result.capabilities.diagnostic_provider.workspace_diagnostics
    await wait_status(editor, lambda f: f.get("tests/integration/test_schemas.py", {}).get("status") == "error")
    report = await editor.client.workspace_diagnostic_async(t.WorkspaceDiagnosticParams(previous_result_ids=[]))
    items = {item.uri: item.items for item in report.items}
    (error,) = collection_errors(items[editor.uri("tests/integration/test_schemas.py")])
    assert error.message.startswith("collection fails (static estimate): ImportError: imports UserSchema")
    assert collection_errors(items[editor.uri("tests/test_manager.py")]) == []
    schemas = editor.open("tests/integration/test_schemas.py")  # the same finding once it is open
    assert [d.message for d in collection_errors(await editor.diagnostics(schemas))] == [error.message]


@pytest.mark.parametrize("lsp", ["visual-studio-code"], indirect=True)
async def test_a_newer_save_cancels_a_hanging_collection_and_timeouts_are_reported(lsp, tmp_path: Path):
    hanging = tmp_path / "hanging.txt"
    hang = (f"import pathlib\nimport time\n\npathlib.Path({str(hanging)!r}).write_text('yes')\ntime.sleep(60)\n\n\n"
            "def test_slow():\n    pass\n")
    fine = "def test_slow():\n    pass\n\n\ndef test_other():\n    pass\n"
    root = write_tree(tmp_path / "hang", {"pyproject.toml": '[project]\nname = "hang"\nversion = "0"\n',
                                          "tests/test_ok.py": "def test_ok():\n    pass\n",
                                          "tests/test_hang.py": hang}).resolve()
    editor = await start(lsp, root, {"collection": "onOpen", "trusted": True, "collection-timeout": 30})
    uri = editor.open("tests/test_hang.py")
    await wait_status(editor, lambda f: f.get("tests/test_hang.py", {}).get("status") == "pending")
    deadline = time.monotonic() + WAIT
    while not hanging.exists() and time.monotonic() < deadline:  # pytest is importing the file, and hangs
        await asyncio.sleep(0.05)
    assert hanging.exists()
    started = time.monotonic()
    save(editor, uri, "tests/test_hang.py", fine)  # cancels the running collection (it would take 30 s)
    status = await wait_status(editor, lambda f: f["tests/test_hang.py"]["status"] == "ok", timeout=20)
    assert time.monotonic() - started < 15
    assert by_path(status)["tests/test_hang.py"]["tests"] == 2
    assert by_path(status)["tests/test_ok.py"]["status"] == "ok"

    editor.client.workspace_did_change_configuration(t.DidChangeConfigurationParams(
        settings={"debounce": 0, "collection": "onOpen", "trusted": True, "collection-timeout": 1}))
    await asyncio.sleep(0.3)
    save(editor, uri, "tests/test_hang.py", hang)
    status = await wait_status(editor, lambda f: f["tests/test_hang.py"]["status"] == "error", timeout=20)
    error = by_path(status)["tests/test_hang.py"]["error"]
    assert error["type"] == "Timeout" and "1 s" in error["message"]
    assert by_path(status)["tests/test_ok.py"]["status"] == "ok"
    no_errors_logged(editor)
