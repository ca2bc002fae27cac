"""Hostile input end to end: every request answered, the server never exits, the text never drifts."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import Future
from pathlib import Path

import attrs
import pytest
from e2e_support import Editor, codes, position_at
from lsprotocol import types as t
from pygls.exceptions import JsonRpcException

# Characters str.splitlines() breaks at but LSP does not, and a lone carriage return (which LSP does break at).
ODD = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


async def raw_request(editor: Editor, method: str, params, timeout: float = 5.0):
    """Send a request exactly as given (no client-side typing), and wait for its response."""
    protocol = editor.client.protocol
    message_id = str(uuid.uuid4())
    future: Future = Future()
    protocol._request_futures[message_id] = future
    protocol._send_data({"jsonrpc": "2.0", "id": message_id, "method": method, "params": params})
    return await asyncio.wait_for(asyncio.wrap_future(future), timeout)


def raw_notify(editor: Editor, method: str, params) -> None:
    editor.client.protocol._send_data({"jsonrpc": "2.0", "method": method, "params": params})


async def assert_alive(editor: Editor, within: float = 1.0) -> None:
    started = time.monotonic()
    status = await asyncio.wait_for(editor.client.protocol.send_request_async("importsense/collectionStatus", {}), 5)
    assert status is not None
    assert time.monotonic() - started < within
    assert editor.client._server.returncode is None


async def test_unknown_methods_and_invalid_params_get_error_responses(editor: Editor):
    with pytest.raises(JsonRpcException) as unknown:
        await raw_request(editor, "importsense/noSuchRequest", {})
    assert unknown.value.code == -32601
    raw_notify(editor, "importsense/noSuchNotification", {"x": 1})
    for method, params in [
        ("textDocument/hover", {"textDocument": {"uri": 5}, "position": {"line": -1, "character": "x"}}),
        ("textDocument/codeAction", {"textDocument": {}, "range": None}),
        ("textDocument/definition", None),
        ("textDocument/diagnostic", {"textDocument": "nope"}) if editor.pull else ("codeAction/resolve", 7),
    ]:
        with pytest.raises(JsonRpcException) as invalid:
            await raw_request(editor, method, params)
        assert invalid.value.code in (-32602, -32603), method
    raw_notify(editor, "textDocument/didChange", {"textDocument": {"uri": 3}, "contentChanges": "x"})
    raw_notify(editor, "textDocument/didOpen", {"textDocument": {"uri": "file:///x.py", "text": None}})
    await assert_alive(editor)


async def test_uris_outside_the_workspace_and_other_schemes(editor: Editor, tmp_path: Path):
    outside = tmp_path / "loose" / "script.py"
    outside.parent.mkdir()
    outside.write_text("import no_such_module_anywhere\n")
    editor.root = tmp_path
    uri = editor.open("loose/script.py")
    assert codes(await editor.diagnostics(uri)) == ["unresolved-module"]
    untitled = "untitled:Untitled-1"
    editor.texts[untitled], editor.versions[untitled] = "import os\n", 1
    editor.client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri=untitled, language_id="python", version=1, text="import os\n")))
    assert await editor.diagnostics(untitled) == []
    assert await editor.client.text_document_hover_async(
        t.HoverParams(t.TextDocumentIdentifier(untitled), t.Position(0, 8))) is None
    assert await editor.client.text_document_hover_async(
        t.HoverParams(t.TextDocumentIdentifier("file:///no/such/file.py"), t.Position(0, 0))) is None
    await assert_alive(editor)


async def test_a_deleted_file_that_is_still_open(editor: Editor):
    uri = editor.open("tests/test_utils.py")
    assert codes(await editor.diagnostics(uri)) == ["missing-name"]
    path = editor.root / "tests/test_utils.py"
    path.unlink()
    editor.client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams(
        changes=[t.FileEvent(uri=uri, type=t.FileChangeType.Deleted)]))
    editor.type(uri, 0, "import os\n")
    assert codes(await editor.diagnostics(uri)) == ["missing-name"]
    hover = await editor.client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(uri),
                                                                        t.Position(1, 8)))
    assert hover is not None and "app/utils.py" in hover.contents.value
    editor.close(uri)
    await assert_alive(editor)


async def test_non_utf8_bytes_on_disk(editor: Editor):
    (editor.root / "app/latin.py").write_bytes(b"NAME = '\xe9t\xe9'\n\xff\xfe\n")
    uri = editor.open("tests/test_latin.py", "from app.latin import NAME\n")
    diagnostics = await editor.diagnostics(uri)
    assert all(d.severity != t.DiagnosticSeverity.Error for d in diagnostics)  # a cascade, reported at its root
    hover = await editor.client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(uri),
                                                                        t.Position(0, 8)))
    assert hover is not None and "app/latin.py" in hover.contents.value
    await assert_alive(editor)


@pytest.mark.parametrize("lsp", ["visual-studio-code"], indirect=True)
async def test_a_5_mb_file_and_a_request_right_after(lsp, workspace: Path):
    from e2e_support import capabilities_for

    editor = await Editor(lsp, workspace, capabilities_for("visual-studio-code"), "visual-studio-code").start()
    small = editor.open("app/clean.py")
    assert await editor.diagnostics(small) == []
    line = "value_{0} = compute(alpha, beta, gamma) + 1  # padding padding padding padding\n"
    big_text = "from app.utils import nothing_like_this\n" + "".join(line.format(i) for i in range(66_000))
    assert len(big_text.encode()) > 5 * 1024 * 1024
    editor.open("app/huge.py", big_text)
    started = time.monotonic()
    await editor.client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(small), t.Position(2, 8)))
    assert time.monotonic() - started < 1.5
    await assert_alive(editor)
    (too_large,) = await editor.diagnostics(editor.uri("app/huge.py"), timeout=60)
    assert too_large.code == "syntax-error" and "too large" in too_large.message
    cut = big_text.index("\n", len(big_text) - 2_000_000) + 1
    editor.replace(editor.uri("app/huge.py"), 0, cut, "")  # now 2 MB: analysed
    diagnostics = await editor.diagnostics(editor.uri("app/huge.py"), timeout=60)
    assert codes(diagnostics) == []  # the first line (the missing name) went with the cut


@pytest.mark.parametrize("debounce", [0, 100])
async def test_a_thousand_rapid_changes(editor: Editor, debounce: int):
    editor.client.workspace_did_change_configuration(
        t.DidChangeConfigurationParams(settings={"debounce": debounce}))
    uri = editor.open("tests/test_utils.py")
    await editor.diagnostics(uri)
    offset = editor.texts[uri].index("\n\ndef test_it") + 1
    for index in range(1000):
        if index % 2 == 0:
            editor.replace(uri, offset, offset, "#")
        else:
            editor.replace(uri, offset, offset + 1, "")
    started = time.monotonic()
    hover = await editor.client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(uri),
                                                                        t.Position(0, 8)))
    assert time.monotonic() - started < 1.0 and hover is not None
    assert codes(await editor.diagnostics(uri)) == ["missing-name"]
    if not editor.pull:
        versions = [p.version for p in editor.client.published[uri]]
        assert versions == sorted(versions) and versions[-1] == 1001
        assert len(versions) < 300  # coalesced, not one run per change


@pytest.mark.parametrize("odd", ODD + ["\r"])
async def test_edits_after_characters_splitlines_treats_as_breaks(editor: Editor, odd: str):
    text = f"# a{odd}b\nx = 1  # c{odd}d{odd}\nimport os\n"
    uri = editor.open("app/odd.py", text)
    assert await editor.diagnostics(uri) == []
    # type on the line after the odd characters, then at the end of the line holding them
    start = editor.texts[uri].index("import os")
    editor.type(uri, start, "from app.utils import check_rate_limit\n")
    after = editor.texts[uri].index(f"d{odd}") + 1  # after the first odd character, before the second
    editor.type(uri, after, "  # e")
    (missing,) = await editor.wait_for(uri, lambda d: codes(d) == ["missing-name"])
    final = editor.texts[uri]
    name = final.index("check_rate_limit")
    expected = t.Range(position_at(final, name, editor.encoding),
                       position_at(final, name + len("check_rate_limit"), editor.encoding))
    assert missing.range == expected
    # the server's text is the editor's: a fresh open of the same text gives the same diagnostics
    editor.close(uri)
    reopened = editor.open("app/odd.py", final)
    assert await editor.diagnostics(reopened) == [attrs.evolve(missing, data={**missing.data, "version": 1})]


def _worker_pids(server_pid: int) -> list[int]:
    """The server's summary worker processes (Linux: /proc)."""
    found = []
    for children in Path(f"/proc/{server_pid}/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"importsense.project.worker" in command:
                found.append(int(pid))
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
async def test_a_killed_summary_worker_changes_nothing_the_user_sees(editor: Editor):
    import os
    import signal

    server_pid = editor.client._server.pid
    (worker,) = _worker_pids(server_pid)
    os.kill(worker, signal.SIGKILL)
    uri = editor.open("tests/test_utils.py")
    assert codes(await editor.diagnostics(uri)) == ["missing-name"]
    deadline = time.monotonic() + 20
    while True:  # indexing finishes: in a new worker, or in the server when none can start
        status = await editor.client.protocol.send_request_async("importsense/collectionStatus", {})
        if not getattr(status, "indexing", True):
            break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    # indexing went on in a new worker, or in the server when its request was already on the way to
    # the dying child (test_worker.py covers the restart itself)
    assert worker not in _worker_pids(server_pid)
    utils = editor.open("app/utils.py")
    await editor.diagnostics(utils)
    editor.type(utils, editor.texts[utils].index("def check_rate_limt"), "def check_rate_limit(user):\n    return 1\n\n\n")
    await editor.wait_for(uri, lambda diagnostics: codes(diagnostics) == [])
    await assert_alive(editor)
