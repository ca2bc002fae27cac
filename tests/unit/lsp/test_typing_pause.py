"""Indexing waits while the user types, but only as long as its credit allows: it never stops."""

from __future__ import annotations

import asyncio

from importsense.lsp import session as session_module
from importsense.lsp.session import Session


def run(coroutine):
    return asyncio.run(coroutine)


def test_no_wait_when_nobody_types():
    async def scenario():
        session = Session(object())
        return await session._let_typing_go_first(2.0)

    assert run(scenario()) < 0.05


def test_waits_for_a_pause_in_typing(monkeypatch):
    monkeypatch.setattr(session_module, "TYPING_QUIET", 0.2)

    async def scenario():
        session = Session(object())
        loop = asyncio.get_running_loop()
        session.last_edit = loop.time()  # a keystroke just now, then none
        return await session._let_typing_go_first(2.0)

    waited = run(scenario())
    assert 0.15 <= waited < 1.0  # until the quiet period passed, not the whole credit


def test_continuous_typing_only_delays_by_the_credit(monkeypatch):
    monkeypatch.setattr(session_module, "TYPING_QUIET", 0.2)

    async def scenario():
        session = Session(object())
        loop = asyncio.get_running_loop()

        async def type_forever():
            while True:
                session.last_edit = loop.time()
                await asyncio.sleep(0.01)

        typist = asyncio.ensure_future(type_forever())
        await asyncio.sleep(0.02)  # the typist has started
        try:
            first = await session._let_typing_go_first(0.3)
            none_left = await session._let_typing_go_first(0.0)
        finally:
            typist.cancel()
        return first, none_left

    first, none_left = run(scenario())
    assert 0.25 <= first < 0.8
    assert none_left < 0.05
