"""End-to-end fixtures: a real `importsense serve` subprocess driven by pytest-lsp's client over stdio.

Every test that uses `editor` runs twice, with the client capabilities pytest-lsp ships for VS Code
(push diagnostics, UTF-16 columns) and for Neovim (pull diagnostics, UTF-8 columns).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from e2e_support import (
    CLIENTS,
    CONFIG,
    DEMO_FILES,
    Editor,
    capabilities_for,
    write_tree,
)
from pytest_lsp import LanguageClient


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "demo", DEMO_FILES).resolve()


@pytest_lsp.fixture(config=CONFIG, params=CLIENTS)
async def lsp(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    lsp_client.client_name = request.param  # type: ignore[attr-defined]
    yield
    try:
        await asyncio.wait_for(lsp_client.shutdown_session(), 10)
    except Exception:  # noqa: BLE001, S110 - a test that killed the server has already failed
        pass


@pytest.fixture
async def editor(lsp: LanguageClient, workspace: Path) -> Editor:
    name = lsp.client_name  # type: ignore[attr-defined]
    return await Editor(lsp, workspace, capabilities_for(name), name).start({"debounce": 0})


