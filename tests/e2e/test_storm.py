"""A storm of random edits: the server stays alive, answers every request, and ends where a fresh server starts.

Hypothesis drives one long-lived server (and a second one for reference) through random incremental
edits: 2 MB lines, a 10,000-operand expression, lone carriage returns, the characters `str.splitlines`
treats as line breaks, unbalanced brackets and quotes. After each storm the diagnostics published for
the final text must equal those a fresh server publishes when it opens that text.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from e2e_support import (
    DEMO_FILES,
    SERVER,
    SERVER_ENV,
    Editor,
    capabilities_for,
    make_client,
    write_tree,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lsprotocol import types as t

BASE = DEMO_FILES["tests/test_utils.py"] + "\nimport os\nfrom app.models import Account\n\nvalue = Account().deposit(1)\n"
PIECES = [
    "x", "check_rate_limt", "import os\n", "from app.utils import Limiter\n", "from app.utils import nope\n",
    "(", ")", "[", "'", '"""', ":", "\n", "\r", "\r\n", "    ", "#", "\\", "def f():\n    return 1\n",
    "\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "é", "\U0001f600",
]
HUGE = ["y = '" + "a" * 2_000_000 + "'\n", "z = " + "+".join(["1"] * 10_000) + "\n"]

edit = st.one_of(
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(PIECES)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.lists(st.sampled_from(PIECES), max_size=4).map("".join)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 12)),
)
storm = st.lists(edit, min_size=1, max_size=14).flatmap(
    lambda edits: st.one_of(st.just(edits), st.sampled_from(HUGE).map(lambda h: edits + [("insert", 0.5, h)])))


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory):
    root = write_tree(tmp_path_factory.mktemp("storm") / "demo", DEMO_FILES).resolve()
    loop = asyncio.new_event_loop()

    async def start() -> tuple[Editor, Editor]:
        editors = []
        for _ in range(2):
            client = make_client()
            await client.start_io(*SERVER, env=SERVER_ENV)
            editor = Editor(client, root, capabilities_for("visual-studio-code"), "visual-studio-code")
            editors.append(await editor.start({"debounce": 0}))
        return editors[0], editors[1]

    stormed, fresh = loop.run_until_complete(start())
    yield loop, stormed, fresh

    async def stop() -> None:
        for editor in (stormed, fresh):
            await asyncio.wait_for(editor.client.shutdown_session(), 10)
            await editor.client.stop()

    loop.run_until_complete(stop())
    loop.close()


def _without_version(diagnostics: list[t.Diagnostic]) -> list:
    return [(d.range, d.code, d.message, d.severity, {k: v for k, v in d.data.items() if k != "version"})
            for d in diagnostics]


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=storm)
@example(edits=[("insert", 0.5, HUGE[0]), ("insert", 0.2, "\r"), ("delete", 0.6, 3)])
@example(edits=[("insert", 0.9, "\u2028"), ("insert", 0.5, HUGE[1]), ("insert", 0.95, "import nope\n")])
def test_random_edit_storms(servers, edits: list[tuple[str, float, object]]):
    loop, stormed, fresh = servers

    async def run() -> None:
        uri = stormed.open("tests/test_storm.py", BASE)
        for kind, where, what in edits:
            text = stormed.texts[uri]
            offset = int(where * len(text))
            if 0 < offset < len(text) and text[offset - 1:offset + 1] == "\r\n":
                offset -= 1  # no LSP position names the middle of a \r\n
            if kind == "insert":
                stormed.replace(uri, offset, offset, str(what))
            else:
                end = min(len(text), offset + int(what))
                if end < len(text) and text[end - 1:end + 1] == "\r\n":
                    end += 1
                stormed.replace(uri, offset, end, "")
        started = time.monotonic()
        hover = stormed.client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(uri), t.Position(0, 8)))
        await asyncio.wait_for(hover, 10)
        assert time.monotonic() - started < 5
        final = await stormed.diagnostics(uri, timeout=60)
        assert stormed.client._server.returncode is None

        reference_uri = fresh.open("tests/test_storm.py", stormed.texts[uri])
        expected = await fresh.diagnostics(reference_uri, timeout=60)
        assert _without_version(final) == _without_version(expected)
        stormed.close(uri)
        fresh.close(reference_uri)
        await asyncio.sleep(0.05)

    loop.run_until_complete(run())
