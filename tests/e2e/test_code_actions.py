"""Code actions end to end: each fix kind requested, resolved when the client resolves, applied, re-checked."""

from __future__ import annotations

from e2e_support import Editor, codes
from lsprotocol import types as t


async def _action(editor: Editor, uri: str, rule: str, title_start: str) -> tuple[t.Diagnostic, t.CodeAction]:
    diagnostics = await editor.wait_for(uri, lambda d: rule in codes(d))
    diagnostic = next(d for d in diagnostics if d.code == rule)
    actions = await editor.code_actions(uri, diagnostic)
    for a in actions:
        if a.kind == t.CodeActionKind.QuickFix:
            assert list(a.diagnostics) == [diagnostic]
    matching = [a for a in actions if a.title.startswith(title_start)]
    assert matching, [a.title for a in actions]
    return diagnostic, await editor.resolved(matching[0])


async def test_replace_with_the_close_match(editor: Editor):
    uri = editor.open("tests/test_utils.py")
    _, action = await _action(editor, uri, "missing-name", "Replace check_rate_limit with check_rate_limt")
    assert action.is_preferred
    editor.apply(action.edit)
    assert editor.texts[uri].splitlines()[0] == "from app.utils import check_rate_limt as check_rate_limit"
    assert await editor.diagnostics(uri) == []


async def test_add_a_compatibility_alias_in_the_other_module(editor: Editor):
    uri = editor.open("tests/test_utils.py")
    utils_uri = editor.open("app/utils.py")
    _, action = await _action(editor, uri, "missing-name", "Add compatibility alias `check_rate_limit = check_rate_limt`")
    assert set(_uris(action.edit)) == {utils_uri}  # a cross-file edit, nothing in the test file
    editor.apply(action.edit)
    assert "check_rate_limit = check_rate_limt" in editor.texts[utils_uri]
    assert editor.texts[uri] == (editor.root / "tests/test_utils.py").read_text()
    assert await editor.wait_for(uri, lambda d: d == []) == []


async def test_import_from_the_module_that_exists(editor: Editor):
    uri = editor.open("tests/test_models.py")
    _, action = await _action(editor, uri, "unresolved-module", "Import from app.models")
    editor.apply(action.edit)
    assert "from app.models import Account\n" in editor.texts[uri]
    assert "unresolved-module" not in codes(await editor.diagnostics(uri))


async def test_create_the_missing_method_in_the_class_file(editor: Editor):
    uri = editor.open("tests/test_models.py")
    _, action = await _action(editor, uri, "missing-attribute", "Create method `withdraw` in Account")
    editor.apply(action.edit)  # app/models.py is closed: the edit lands on disk
    models = (editor.root / "app/models.py").read_text()
    assert "    def withdraw(self, *args, **kwargs):" in models
    compile(models, "models.py", "exec")
    editor.client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams(changes=[
        t.FileEvent(uri=editor.uri("app/models.py"), type=t.FileChangeType.Changed)]))
    assert await editor.wait_for(uri, lambda d: "missing-attribute" not in codes(d))


async def test_rewrite_the_patch_target(editor: Editor):
    uri = editor.open("tests/test_models.py")
    _, action = await _action(editor, uri, "invalid-patch-target", "Patch 'app.models.Account' instead")
    editor.apply(action.edit)
    assert 'mock.patch("app.models.Account")' in editor.texts[uri]
    assert "invalid-patch-target" not in codes(await editor.diagnostics(uri))


async def test_convert_one_relative_import_keeping_the_comment(editor: Editor):
    uri = editor.open("app/service.py")
    _, action = await _action(editor, uri, "relative-import", "Convert to absolute import: from app.utils")
    assert action.is_preferred
    editor.apply(action.edit)
    assert editor.texts[uri].splitlines()[:2] == ["from app.utils import Limiter  # keep me", "from . import utils as u"]
    assert codes(await editor.diagnostics(uri)) == ["relative-import"]


async def test_fix_all_converts_every_relative_import_of_the_file(editor: Editor):
    uri = editor.open("app/service.py")
    await editor.wait_for(uri, lambda d: len(d) == 2)
    actions = await editor.code_actions(uri, only=["source.fixAll.importsense"])
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.importsense" and fix_all.edit is not None
    assert await editor.code_actions(uri, only=["quickfix"]) == []  # nothing asked at a diagnostic
    editor.apply(fix_all.edit)
    assert editor.texts[uri].splitlines()[:2] == ["from app.utils import Limiter  # keep me",
                                                  "from app import utils as u"]
    assert await editor.diagnostics(uri) == []


async def test_only_the_namespaced_fix_all_kind_is_advertised(editor: Editor):
    kinds = editor.result.capabilities.code_action_provider.code_action_kinds
    assert "source.fixAll.importsense" in kinds and "source.fixAll" not in kinds


async def test_resolve_returns_unknown_actions_unchanged(editor: Editor):
    foreign = t.CodeAction(title="Organize", kind="source.organizeImports",
                           command=t.Command(title="x", command="other.command"))
    assert await editor.client.code_action_resolve_async(foreign) == foreign
    bare = t.CodeAction(title="no data")
    assert await editor.client.code_action_resolve_async(bare) == bare


def _uris(edit: t.WorkspaceEdit) -> list[str]:
    from e2e_support import edits_by_uri

    return list(edits_by_uri(edit))
