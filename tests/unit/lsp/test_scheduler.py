"""The scheduler: debounce restarts, runs coalesce (one running, one waiting), work runs on one thread."""

from __future__ import annotations

import asyncio
import threading

from importsense.lsp.scheduler import Scheduler


async def test_debounce_restarts_and_runs_coalesce():
    runs: list[str] = []
    release = asyncio.Event()

    async def analyze(key: str) -> None:
        runs.append(key)
        await release.wait()

    scheduler = Scheduler(analyze, lambda key: 30)
    for _ in range(5):
        scheduler.schedule("a")
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.08)
    assert runs == ["a"]  # one run after the last change
    for _ in range(5):
        scheduler.schedule("a", 0)  # while it runs: one more run, not five
    release.set()
    await asyncio.sleep(0.05)
    assert runs == ["a", "a"]
    scheduler.close()


async def test_now_waits_for_a_fresh_run_and_cancel_drops_pending_work():
    runs: list[str] = []

    async def analyze(key: str) -> None:
        runs.append(key)

    scheduler = Scheduler(analyze, lambda key: 10_000)
    scheduler.schedule("a")
    await scheduler.now("a")
    assert runs == ["a"]
    scheduler.schedule("b")
    scheduler.cancel("b")
    await asyncio.sleep(0.02)
    assert runs == ["a"]
    scheduler.close()


async def test_engine_work_runs_on_one_thread_and_a_failing_analysis_is_survived():
    async def analyze(key: str) -> None:
        raise RuntimeError("boom")

    scheduler = Scheduler(analyze, lambda key: 0)
    threads = {await scheduler.run(threading.get_ident) for _ in range(5)}
    assert len(threads) == 1 and threading.get_ident() not in threads
    await scheduler.now("x")  # the failure is logged, the waiter released
    assert await scheduler.run(lambda: 42) == 42
    scheduler.close()
