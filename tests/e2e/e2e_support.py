"""End-to-end support: the demo workspace, an Editor that drives a real server, LSP positions computed independently."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as t
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "importsense", "serve",  # E2E_LOG=FILE: every server logs there (debug)
          *(["--log-file", os.environ["E2E_LOG"]] if os.environ.get("E2E_LOG") else [])]
CACHE_DIR = tempfile.mkdtemp(prefix="importsense-e2e-cache-")
SERVER_ENV = {**os.environ, "IMPORTSENSE_CACHE_DIR": CACHE_DIR, "PYTHONUNBUFFERED": "1",
              "IMPORTSENSE_CODE_CACHE": os.path.join(CACHE_DIR, "startup-code.marshal")}
CLIENTS = ["visual-studio-code", "neovim"]
TIMEOUT = 15.0

DEMO_FILES = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n',
    "app/__init__.py": "",
    "app/utils.py": '"""Utilities."""\n\n\ndef check_rate_limt(user):\n    return True\n\n\nclass Limiter:\n'
                    "    def allow(self):\n        return True\n",
    "app/models.py": "class Account:\n    def deposit(self, amount):\n        return amount\n",
    "app/service.py": "from .utils import Limiter  # keep me\nfrom . import utils as u\n\n\n"
                      "def run():\n    return Limiter().allow(), u\n",
    "app/clean.py": "import os\n\nfrom app.utils import Limiter\n\n\ndef here():\n    return os.getcwd(), Limiter\n",
    "tests/test_utils.py": "from app.utils import check_rate_limit\n\n\ndef test_it():\n"
                           "    assert check_rate_limit(1)\n",
    "tests/test_models.py": 'from unittest import mock\n\nfrom app.model import Account\nfrom app.models import Account as A\n'
                            '\n\ndef test_a():\n    a = A()\n    a.withdraw(1)\n    with mock.patch("app.models.Acount"):\n'
                            "        pass\n",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


# ---- positions, computed independently of the server's code (LSP rules) --------------------

_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _BREAK.finditer(text)]


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def position_at(text: str, offset: int, encoding: str) -> t.Position:
    starts = line_starts(text)
    line = max(i for i, s in enumerate(starts) if s <= offset)
    if offset > 0 and text[offset - 1:offset + 1] == "\r\n":
        offset -= 1
    return t.Position(line, units(text[starts[line]:offset], encoding))


def offset_at(text: str, position: t.Position, encoding: str) -> int:
    starts = line_starts(text)
    if position.line >= len(starts):
        return len(text)
    start = starts[position.line]
    end = starts[position.line + 1] if position.line + 1 < len(starts) else len(text)
    content = text[start:end].rstrip("\r\n") if position.line + 1 < len(starts) else text[start:end]
    count = 0
    for index, character in enumerate(content):
        if count >= position.character:
            return start + index
        count += units(character, encoding)
    return start + len(content)


def apply_text_edits(text: str, edits: list[t.TextEdit], encoding: str) -> str:
    located = sorted(((offset_at(text, e.range.start, encoding), offset_at(text, e.range.end, encoding), e.new_text)
                      for e in edits), reverse=True)
    for start, end, new_text in located:
        text = text[:start] + new_text + text[end:]
    return text


def edits_by_uri(edit: t.WorkspaceEdit) -> dict[str, list[t.TextEdit]]:
    result: dict[str, list[t.TextEdit]] = {}
    for uri, edits in (edit.changes or {}).items():
        result.setdefault(uri, []).extend(edits)
    for change in edit.document_changes or []:
        if isinstance(change, t.TextDocumentEdit):
            result.setdefault(change.text_document.uri, []).extend(change.edits)
    return result


# ---- the client ------------------------------------------------------------------------------

def make_client() -> LanguageClient:
    """pytest-lsp's client, also recording every publish (with its version), registrations and applyEdit."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = {}  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    client.apply_edit_handler = None  # type: ignore[attr-defined]

    def publish(ls: LanguageClient, params: t.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.setdefault(params.uri, []).append(params)  # type: ignore[attr-defined]

    def register(ls: LanguageClient, params: t.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    def apply_edit(ls: LanguageClient, params: t.ApplyWorkspaceEditParams) -> t.ApplyWorkspaceEditResult:
        handler = ls.apply_edit_handler  # type: ignore[attr-defined]
        if handler is None:
            return t.ApplyWorkspaceEditResult(applied=False, failure_reason="no handler")
        return handler(params)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[t.CLIENT_REGISTER_CAPABILITY] = register
    features[t.WORKSPACE_APPLY_EDIT] = apply_edit
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client, server_env=SERVER_ENV)


class Editor:
    """Drives one server like an editor would: keeps each open document's text and version."""

    def __init__(self, client: LanguageClient, root: Path, capabilities: t.ClientCapabilities, name: str) -> None:
        self.client = client
        self.root = root
        self.capabilities = capabilities
        self.name = name
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.result: t.InitializeResult | None = None

    @property
    def encoding(self) -> str:
        encoding = self.result.capabilities.position_encoding if self.result else None
        return str(getattr(encoding, "value", encoding) or "utf-16")

    @property
    def pull(self) -> bool:
        return self.result is not None and self.result.capabilities.diagnostic_provider is not None

    async def start(self, initialization_options: Any = None, folders: list[Path] | None = None) -> Editor:
        folders = folders or [self.root]
        self.result = await self.client.initialize_session(t.InitializeParams(
            capabilities=self.capabilities,
            root_uri=folders[0].as_uri(),
            workspace_folders=[t.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders],
            initialization_options=initialization_options,
        ))
        return self

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()

    def open(self, relative: str, text: str | None = None) -> str:
        uri = self.uri(relative)
        if text is None:
            text = (self.root / relative).read_bytes().decode("utf-8", "replace")
        self.texts[uri] = text
        self.versions[uri] = 1
        self.client.text_document_did_open(t.DidOpenTextDocumentParams(
            t.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        return uri

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(t.DidCloseTextDocumentParams(t.TextDocumentIdentifier(uri)))
        self.texts.pop(uri, None)
        self.versions.pop(uri, None)

    def replace(self, uri: str, start: int, end: int, new_text: str) -> None:
        """Replace text[start:end] (string offsets) with an incremental didChange."""
        text = self.texts[uri]
        range_ = t.Range(position_at(text, start, self.encoding), position_at(text, end, self.encoding))
        self.send_changes(uri, [t.TextDocumentContentChangePartial(range=range_, text=new_text)],
                          text[:start] + new_text + text[end:])

    def send_changes(self, uri: str, changes: list, new_text: str) -> None:
        self.versions[uri] += 1
        self.texts[uri] = new_text
        self.client.text_document_did_change(t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=changes))

    def type(self, uri: str, offset: int, text: str) -> None:
        for index, character in enumerate(text):
            self.replace(uri, offset + index, offset + index, character)

    def apply(self, edit: t.WorkspaceEdit) -> None:
        """Apply a WorkspaceEdit: open documents through didChange, closed files on disk."""
        for uri, edits in edits_by_uri(edit).items():
            if uri in self.texts:
                new_text = apply_text_edits(self.texts[uri], edits, self.encoding)
                self.send_changes(uri, [t.TextDocumentContentChangeWholeDocument(text=new_text)], new_text)
            else:
                path = Path(unquote(urlparse(uri).path))
                text = path.read_text(encoding="utf-8")
                path.write_text(apply_text_edits(text, edits, self.encoding), encoding="utf-8", newline="")

    async def diagnostics(self, uri: str, timeout: float = TIMEOUT) -> list[t.Diagnostic]:
        """The diagnostics for the document's current version."""
        return await self.wait_for(uri, lambda _: True, timeout)

    async def wait_for(self, uri: str, predicate: Callable[[list[t.Diagnostic]], bool],
                       timeout: float = TIMEOUT) -> list[t.Diagnostic]:
        deadline = time.monotonic() + timeout
        last: list[t.Diagnostic] | None = None
        while time.monotonic() < deadline:
            if self.pull:
                report = await asyncio.wait_for(self.client.text_document_diagnostic_async(
                    t.DocumentDiagnosticParams(text_document=t.TextDocumentIdentifier(uri))), timeout)
                last = list(report.items)
                if predicate(last):
                    return last
            else:
                published = self.client.published.get(uri, [])  # type: ignore[attr-defined]
                if published and published[-1].version == self.versions.get(uri, published[-1].version):
                    last = list(published[-1].diagnostics)
                    if predicate(last):
                        return last
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for diagnostics of {uri}; last seen: {last}")

    async def code_actions(self, uri: str, diagnostic: t.Diagnostic | None = None,
                           only: list[str] | None = None) -> list[t.CodeAction]:
        range_ = diagnostic.range if diagnostic else t.Range(t.Position(0, 0), t.Position(0, 0))
        result = await self.client.text_document_code_action_async(t.CodeActionParams(
            text_document=t.TextDocumentIdentifier(uri), range=range_,
            context=t.CodeActionContext(diagnostics=[diagnostic] if diagnostic else [], only=only)))
        return [a for a in result or [] if isinstance(a, t.CodeAction)]

    async def resolved(self, action: t.CodeAction) -> t.CodeAction:
        if action.edit is None:
            action = await self.client.code_action_resolve_async(action)
        assert action.edit is not None, f"no edit for {action.title}"
        return action


def capabilities_for(name: str) -> t.ClientCapabilities:
    return client_capabilities(name)


def codes(diagnostics: list[t.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)
