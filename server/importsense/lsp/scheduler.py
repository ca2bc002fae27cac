"""Scheduler: per-document debounce, one analysis thread for all engine work, and a version guard.

Every call into the engine runs on one worker thread (the index is not safe for concurrent writers), so
the event loop stays free to answer requests while a check runs. A document gets at most one analysis
running and one waiting; a result computed for an older revision of its document is dropped, never
published over a newer one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..engine import gc_paused

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class _DocumentState:
    timer: asyncio.TimerHandle | None = None
    running: bool = False
    again: bool = False  # another run was asked for while one was running
    waiters: list[asyncio.Future] = field(default_factory=list)


class Scheduler:
    """Debounced, coalesced analysis runs per document key, on one worker thread."""

    def __init__(self, analyze: Callable[[str], Awaitable[Any]], debounce_ms: Callable[[str], int]) -> None:
        self._analyze = analyze  # coroutine function: runs one analysis of the document `key` (via `run`)
        self._debounce_ms = debounce_ms
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="importsense-analysis")
        self._states: dict[str, _DocumentState] = {}
        self._thread_id: int | None = None
        self._closed = False

    # ---- engine work ---------------------------------------------------------
    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function(*args)` on the analysis thread and wait for it."""
        if self._closed:
            raise RuntimeError("the server is shutting down")
        if threading.get_ident() == self._thread_id:
            return function(*args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, function, args)

    def _call(self, function: Callable[..., T], args: tuple) -> T:
        self._thread_id = threading.get_ident()
        with gc_paused():  # engine work allocates many short-lived objects: the cyclic GC only slows it (~1.5x)
            return function(*args)

    # ---- debounced document analysis -------------------------------------------
    def schedule(self, key: str, delay_ms: int | None = None) -> None:
        """Analyse `key` after the debounce delay; a newer call restarts the delay."""
        if self._closed:
            return
        state = self._states.setdefault(key, _DocumentState())
        if state.timer is not None:
            state.timer.cancel()
            state.timer = None
        delay = self._debounce_ms(key) if delay_ms is None else delay_ms
        loop = asyncio.get_running_loop()
        if delay <= 0:
            state.timer = None
            self._start(key)
        else:
            state.timer = loop.call_later(delay / 1000.0, self._start, key)

    async def now(self, key: str) -> None:
        """Analyse `key` without waiting for the debounce, and wait until an analysis of it has finished."""
        state = self._states.setdefault(key, _DocumentState())
        if state.timer is not None:
            state.timer.cancel()
            state.timer = None
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        state.waiters.append(future)
        self._start(key)
        await future

    def _start(self, key: str) -> None:
        state = self._states.get(key)
        if state is None or self._closed:
            return
        state.timer = None
        if state.running:
            state.again = True
            return
        state.running = True
        asyncio.ensure_future(self._run(key, state))

    async def _run(self, key: str, state: _DocumentState) -> None:
        while True:
            state.again = False
            waiters, state.waiters = state.waiters, []
            try:
                await self._analyze(key)
            except asyncio.CancelledError:
                raise
            except Exception:  # an analysis failure must never take the server down
                log.exception("analysis of %s failed", key)
            finally:
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)
            if not state.again or self._closed:
                break
        state.running = False
        for waiter in state.waiters:  # asked for while the last run was finishing
            if not waiter.done():
                state.running = True
                asyncio.ensure_future(self._run(key, state))
                break

    def cancel(self, key: str) -> None:
        """Forget `key` (its document closed): a pending run is dropped."""
        state = self._states.pop(key, None)
        if state is not None and state.timer is not None:
            state.timer.cancel()
        if state is not None:
            for waiter in state.waiters:
                if not waiter.done():
                    waiter.set_result(None)

    def close(self) -> None:
        self._closed = True
        for key in list(self._states):
            self.cancel(key)
        self._executor.shutdown(wait=False, cancel_futures=True)
