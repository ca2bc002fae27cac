"""Diagnostics end to end: open a project, see the findings, type fixes, see dependents re-published."""

from __future__ import annotations

import asyncio

from e2e_support import Editor, capabilities_for, codes
from lsprotocol import types as t


async def test_open_files_report_their_findings(editor: Editor):
    test_uri = editor.open("tests/test_utils.py")
    service_uri = editor.open("app/service.py")
    clean_uri = editor.open("app/clean.py")
    models_uri = editor.open("tests/test_models.py")

    (missing,) = await editor.diagnostics(test_uri)
    assert missing.code == "missing-name"
    assert missing.source == "importsense"
    assert missing.severity == t.DiagnosticSeverity.Error
    assert missing.range == t.Range(t.Position(0, 22), t.Position(0, 38))  # `check_rate_limit`
    assert "check_rate_limt" in missing.message
    assert missing.data["rule"] == "missing-name"
    assert {i["kind"] for i in missing.data["intents"]} == {"replace", "add-alias"}

    relative = await editor.diagnostics(service_uri)
    assert codes(relative) == ["relative-import", "relative-import"]
    assert all(d.severity == t.DiagnosticSeverity.Warning for d in relative)
    assert await editor.diagnostics(clean_uri) == []
    assert codes(await editor.diagnostics(models_uri)) == ["invalid-patch-target", "missing-attribute",
                                                            "unresolved-module"]


async def test_push_or_pull_follows_the_client(editor: Editor):
    uri = editor.open("tests/test_utils.py")
    await editor.diagnostics(uri)
    published = editor.client.published.get(uri, [])
    # VS Code 1.65's set has no pull support; pytest-lsp's Neovim set pulls but cannot be asked to re-pull
    # (no workspace.diagnostics.refreshSupport), so an edit in a module could never reach its importers:
    # both get pushed diagnostics, with the document version.
    assert editor.result.capabilities.diagnostic_provider is None
    assert published and published[-1].version == 1


async def test_pull_when_the_client_can_be_asked_to_re_pull(lsp, workspace):
    """A client that pulls and supports workspace/diagnostic/refresh gets pull, and nothing pushed."""
    capabilities = capabilities_for("neovim")
    capabilities.workspace.diagnostics = t.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    editor = await Editor(lsp, workspace, capabilities, "neovim").start({"debounce": 0})
    uri = editor.open("tests/test_utils.py")
    assert codes(await editor.diagnostics(uri)) == ["missing-name"]
    provider = editor.result.capabilities.diagnostic_provider
    assert provider.workspace_diagnostics and provider.inter_file_dependencies
    assert editor.client.published.get(uri, []) == []


async def test_typing_a_definition_in_an_unsaved_module_clears_the_importer(editor: Editor):
    test_uri = editor.open("tests/test_utils.py")
    utils_uri = editor.open("app/utils.py")
    assert codes(await editor.diagnostics(test_uri)) == ["missing-name"]
    end = len(editor.texts[utils_uri])
    editor.type(utils_uri, end, "\n\ndef check_rate_limit(user):\n    return False\n")
    assert await editor.diagnostics(utils_uri) == []
    assert await editor.wait_for(test_uri, lambda d: d == []) == []
    assert (editor.root / "app/utils.py").read_text().count("def ") == 2  # nothing was saved


async def test_an_unsaved_module_that_stops_parsing_blocks_its_importers_collection_until_fixed(editor: Editor):
    """The static collection view follows unsaved buffers, like the index it reads: a module that stops
    parsing while typed marks the test files importing it, and finishing the line clears them again."""
    test_uri = editor.open("tests/test_utils.py")
    utils_uri = editor.open("app/utils.py")
    assert codes(await editor.diagnostics(test_uri)) == ["missing-name"]
    editor.type(utils_uri, len(editor.texts[utils_uri]), "\n\ndef check_rate_limit")
    blocked = await editor.wait_for(test_uri, lambda d: "collection-error" in codes(d))
    assert "app.utils does not parse" in next(d.message for d in blocked if d.code == "collection-error")
    editor.type(utils_uri, len(editor.texts[utils_uri]), "(user):\n    return False\n")
    assert await editor.wait_for(test_uri, lambda d: d == []) == []


async def test_an_importer_is_rechecked_when_the_change_that_fixed_it_was_overtaken(editor: Editor):
    """The change that defines the missing name is analysed, but a newer keystroke (one that changes
    nothing other files see) arrives while that analysis runs: its diagnostics are dropped as stale, yet
    the importer must still be re-checked; the newer revision alone would not notice anything new."""
    test_uri = editor.open("tests/test_utils.py")
    big = "BIG = [" + "1, " * 60_000 + "1]\n"  # a statement that takes a while (~0.3 s) to summarise again
    utils_uri = editor.open("app/utils.py", editor.texts.get(editor.uri("app/utils.py"))
                            or (editor.root / "app/utils.py").read_text() + "\n" + big)
    assert codes(await editor.diagnostics(test_uri)) == ["missing-name"]
    assert await editor.diagnostics(utils_uri, timeout=60) == []
    text = editor.texts[utils_uri]
    start = text.index("BIG = [") + len("BIG = [")
    # one change touching BIG (so its analysis re-parses it) that also defines the missing helper ...
    editor.replace(utils_uri, start, len(text), "2, " + text[start:].rstrip("\n") +
                   "\n\n\ndef check_rate_limit(user):\n    return False\n")
    await asyncio.sleep(0.05)  # its analysis is running now (parsing BIG takes longer)
    # ... overtaken by one that changes a number inside BIG: same interface
    editor.replace(utils_uri, start, start + 1, "3")
    assert await editor.wait_for(test_uri, lambda d: d == [], timeout=60) == []
    assert await editor.diagnostics(utils_uri, timeout=60) == []


async def test_typing_the_fix_character_by_character(editor: Editor):
    uri = editor.open("tests/test_utils.py")
    await editor.wait_for(uri, lambda d: codes(d) == ["missing-name"])
    text = editor.texts[uri]
    start = text.index("check_rate_limit")
    for _ in range(len("check_rate_limit")):  # delete the name backwards, then type the real one
        position = start + len(editor.texts[uri][start:].split("\n", 1)[0])
        editor.replace(uri, position - 1, position, "")
    editor.type(uri, start, "check_rate_limt as check_rate_limit")
    assert editor.texts[uri].startswith("from app.utils import check_rate_limt as check_rate_limit\n")
    assert await editor.diagnostics(uri) == []
    if not editor.pull:  # results for older versions were never published after newer ones
        versions = [p.version for p in editor.client.published[uri]]
        assert versions == sorted(versions)


async def test_a_syntax_error_mid_typing_is_reported_and_then_cleared(editor: Editor):
    uri = editor.open("app/clean.py")
    assert await editor.diagnostics(uri) == []
    offset = editor.texts[uri].index("def here")
    editor.type(uri, offset, "x = (")
    (error,) = await editor.wait_for(uri, lambda d: codes(d) == ["syntax-error"])
    assert error.severity == t.DiagnosticSeverity.Error
    editor.type(uri, offset + 5, ")\n")
    assert await editor.diagnostics(uri) == []


async def test_a_module_changed_on_disk_republishes_its_importers(editor: Editor):
    uri = editor.open("tests/test_utils.py")
    await editor.wait_for(uri, lambda d: codes(d) == ["missing-name"])
    utils = editor.root / "app/utils.py"
    utils.write_text(utils.read_text() + "\n\ndef check_rate_limit(user):\n    return True\n")
    editor.client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams(
        changes=[t.FileEvent(uri=utils.as_uri(), type=t.FileChangeType.Changed)]))
    assert await editor.wait_for(uri, lambda d: d == []) == []


async def test_a_deleted_module_is_reported_by_its_importers(editor: Editor):
    uri = editor.open("app/clean.py")
    assert await editor.diagnostics(uri) == []
    utils = editor.root / "app/utils.py"
    utils.unlink()
    editor.client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams(
        changes=[t.FileEvent(uri=utils.as_uri(), type=t.FileChangeType.Deleted)]))
    assert codes(await editor.wait_for(uri, lambda d: d != [])) == ["unresolved-module"]


async def test_workspace_diagnostics_cover_closed_files(lsp, workspace):
    capabilities = capabilities_for("neovim")  # pull, with refresh support: the server offers pull
    capabilities.workspace.diagnostics = t.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    editor = await Editor(lsp, workspace, capabilities, "neovim").start({"debounce": 0})
    report = await editor.client.workspace_diagnostic_async(t.WorkspaceDiagnosticParams(previous_result_ids=[]))
    by_path = {item.uri.rsplit("/demo/", 1)[1]: codes(item.items) for item in report.items}
    assert by_path["tests/test_utils.py"] == ["missing-name"]
    assert by_path["app/service.py"] == ["relative-import", "relative-import"]
    assert by_path["app/clean.py"] == []
