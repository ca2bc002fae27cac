"""Workspace features end to end: hover, definition, converting the workspace, settings, folders, progress."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from e2e_support import (
    DEMO_FILES,
    Editor,
    capabilities_for,
    codes,
    write_tree,
)
from lsprotocol import types as t


async def test_hover_shows_where_an_import_resolves_or_why_not(editor: Editor):
    uri = editor.open("tests/test_models.py", DEMO_FILES["tests/test_models.py"])
    await editor.diagnostics(uri)

    async def hover(line: int, character: int) -> str | None:
        result = await editor.client.text_document_hover_async(
            t.HoverParams(t.TextDocumentIdentifier(uri), t.Position(line, character)))
        return result.contents.value if result else None

    assert "app/models.py" in await hover(3, 7)  # from app.models import ...
    assert "first-party" in await hover(3, 7)
    missing = await hover(2, 7)  # from app.model import Account
    assert "not found" in missing and "`model`" in missing
    assert "standard library" in await hover(0, 7)  # from unittest import mock
    assert await hover(7, 4) is None  # not on an import


async def test_definition_jumps_to_the_module_file(editor: Editor):
    uri = editor.open("app/clean.py")
    await editor.diagnostics(uri)
    result = await editor.client.text_document_definition_async(
        t.DefinitionParams(t.TextDocumentIdentifier(uri), t.Position(2, 8)))
    assert [location.uri for location in result] == [editor.uri("app/utils.py")]
    name = await editor.client.text_document_definition_async(  # the imported class: its line
        t.DefinitionParams(t.TextDocumentIdentifier(uri), t.Position(2, 24)))
    assert name[0].uri == editor.uri("app/utils.py") and name[0].range.start.line == 7
    assert await editor.client.text_document_definition_async(
        t.DefinitionParams(t.TextDocumentIdentifier(uri), t.Position(5, 4))) is None


async def test_convert_the_workspace_through_apply_edit(lsp, workspace: Path):
    write_tree(workspace, {"app/sub/__init__.py": "", "app/sub/deep.py": "from ..utils import (\n    Limiter,  # why\n)\n"})
    editor = await Editor(lsp, workspace, capabilities_for(lsp.client_name), lsp.client_name).start({"debounce": 0})
    open_uri = editor.open("app/service.py")
    applied: list[t.ApplyWorkspaceEditParams] = []

    def apply(params: t.ApplyWorkspaceEditParams) -> t.ApplyWorkspaceEditResult:
        applied.append(params)
        editor.apply(params.edit)
        return t.ApplyWorkspaceEditResult(applied=True)

    editor.client.apply_edit_handler = apply
    result = await editor.client.workspace_execute_command_async(
        t.ExecuteCommandParams(command="importsense.convertWorkspaceToAbsolute"))
    assert result["files"] == 2 and result["imports"] == 3 and result["skipped"] == []
    assert editor.texts[open_uri].startswith("from app.utils import Limiter  # keep me\nfrom app import utils as u\n")
    assert (editor.root / "app/sub/deep.py").read_text() == "from app.utils import (\n    Limiter,  # why\n)\n"
    assert (editor.root / "app/service.py").read_text() == DEMO_FILES["app/service.py"]  # open: edited in the buffer
    progress = [v for values in editor.client.progress_reports.values() for v in values]
    assert any(isinstance(v, t.WorkDoneProgressBegin) and "relative" in v.title for v in progress)
    assert await editor.diagnostics(open_uri) == []


async def test_editor_settings_override_pyproject_where_given(lsp, workspace: Path):
    (workspace / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.importsense]\nignore = ["missing-name"]\n')
    editor = await Editor(lsp, workspace, capabilities_for(lsp.client_name), lsp.client_name).start(
        {"importsense": {"ignore": ["relative-import"], "debounce": 0}})
    test_uri = editor.open("tests/test_utils.py")
    service_uri = editor.open("app/service.py")
    assert codes(await editor.diagnostics(test_uri)) == ["missing-name"]  # the editor's ignore replaced pyproject's
    assert await editor.diagnostics(service_uri) == []
    lsp.workspace_did_change_configuration(t.DidChangeConfigurationParams(settings={"importsense": {"debounce": 0}}))
    assert codes(await editor.wait_for(service_uri, lambda d: d != [])) == ["relative-import"] * 2
    assert await editor.wait_for(test_uri, lambda d: d == []) == []  # pyproject's ignore applies again


async def test_invalid_settings_are_shown_and_defaults_used(lsp, workspace: Path):
    editor = await Editor(lsp, workspace, capabilities_for(lsp.client_name), lsp.client_name).start(
        {"select": ["no-such-rule"], "debounce": 0})
    uri = editor.open("tests/test_utils.py")
    assert codes(await editor.diagnostics(uri)) == ["missing-name"]
    errors = [m.message for m in lsp.messages if m.type == t.MessageType.Error]
    assert any("no-such-rule" in message for message in errors)


async def test_multi_root_folders_each_use_their_own_settings(lsp, tmp_path: Path):
    first = write_tree(tmp_path / "first", DEMO_FILES).resolve()
    second = write_tree(tmp_path / "second", {**DEMO_FILES, "pyproject.toml":
                        '[project]\nname = "b"\n\n[tool.importsense]\nignore = ["relative-import"]\n'}).resolve()
    editor = await Editor(lsp, first, capabilities_for(lsp.client_name), lsp.client_name).start(
        {"debounce": 0}, folders=[first, second])
    in_first = editor.open("app/service.py")
    editor.root = second
    in_second = editor.open("app/service.py")
    assert codes(await editor.diagnostics(in_first)) == ["relative-import"] * 2
    assert await editor.diagnostics(in_second) == []
    outside = write_tree(tmp_path / "elsewhere", {"pkg/__init__.py": "", "pkg/mod.py": "from . import nothing_here\n",
                                                  "setup.py": ""}).resolve()
    editor.root = outside
    stray = editor.open("pkg/mod.py")
    assert codes(await editor.diagnostics(stray)) == ["missing-name", "relative-import"]


async def test_indexing_reports_progress_and_watchers_are_registered(editor: Editor):
    uri = editor.open("app/clean.py")
    await editor.diagnostics(uri)
    for _ in range(100):
        reports = [v for values in editor.client.progress_reports.values() for v in values]
        if any(isinstance(v, t.WorkDoneProgressEnd) for v in reports):
            break
        await asyncio.sleep(0.05)
    assert isinstance(reports[0], t.WorkDoneProgressBegin) and reports[0].title.startswith("Indexing")
    assert isinstance(reports[-1], t.WorkDoneProgressEnd)
    status = await editor.client.protocol.send_request_async("importsense/collectionStatus", {})
    assert [(f.path, f.status, f.error.line) for f in status.files] == [
        ("tests/test_models.py", "error", 3), ("tests/test_utils.py", "error", 1)]
    assert (status.summary.files, status.summary.tests, status.summary.errors, status.indexing) == (2, 0, 2, False)
    if editor.name == "visual-studio-code":  # dynamic registration supported
        (registration,) = editor.client.registrations
        globs = [w["globPattern"] for w in registration.register_options["watchers"]]
        assert globs == ["**/*.py", "**/*.pyi", "**/pyproject.toml"]
    else:
        assert editor.client.registrations == []


@pytest.mark.parametrize("lsp", ["visual-studio-code"], indirect=True)
async def test_a_client_without_work_done_progress(lsp, workspace: Path):
    capabilities = capabilities_for("visual-studio-code")
    capabilities.window.work_done_progress = False
    editor = await Editor(lsp, workspace, capabilities, "visual-studio-code").start({"debounce": 0})
    uri = editor.open("tests/test_utils.py")
    assert codes(await editor.diagnostics(uri)) == ["missing-name"]
    editor.client.apply_edit_handler = lambda params: t.ApplyWorkspaceEditResult(applied=True)
    await editor.client.workspace_execute_command_async(
        t.ExecuteCommandParams(command="importsense.convertWorkspaceToAbsolute"))
    await asyncio.sleep(0.3)
    assert editor.client.progress_reports == {}
    assert any("Indexing" in m.message for m in editor.client.log_messages)


async def test_empty_configuration_change_asks_the_client(editor: Editor):
    uri = editor.open("app/service.py")
    assert codes(await editor.diagnostics(uri)) == ["relative-import"] * 2
    editor.client.set_configuration({"ignore": ["relative-import"], "debounce": 0}, section="importsense")
    editor.client.workspace_did_change_configuration(t.DidChangeConfigurationParams(settings=None))
    assert await editor.wait_for(uri, lambda d: d == []) == []
