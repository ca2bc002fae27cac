"""Indexing steps go to the summary worker; when it is gone they are summarised on the indexer thread instead."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from importsense.lsp.session import Session
from importsense.project.sources import summarize_paths
from importsense.project.worker import SummaryWorker


@pytest.fixture
def batch(tmp_path: Path) -> list[str]:
    paths = []
    for number in range(5):
        path = tmp_path / f"m{number}.py"
        path.write_text(f"import os\n\nclass C{number}:\n    def run(self):\n        return os.sep\n")
        paths.append(str(path))
    return paths


def summarize_with(worker: SummaryWorker | None, batch: list[str]) -> list:
    async def scenario():
        session = Session(object())
        session.worker = worker
        try:
            return await session._summarize(batch)
        finally:
            session.indexer.shutdown(wait=True)

    return asyncio.run(scenario())


def test_a_step_summarised_by_the_worker_equals_one_summarised_here(batch: list[str]):
    worker = SummaryWorker.start()
    assert worker is not None
    try:
        assert [key for key, _ in summarize_with(worker, batch)] == batch
        assert summarize_with(worker, batch) == summarize_paths(batch)
    finally:
        worker.close()


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
def test_a_step_whose_worker_died_is_summarised_on_the_indexer_thread(batch: list[str], monkeypatch):
    worker = SummaryWorker.start()
    assert worker is not None
    monkeypatch.setattr(SummaryWorker, "_spawn", lambda self: False)  # no new child: the fallback must do it
    os.kill(worker.pid, signal.SIGKILL)
    worker._process.wait(10)
    try:
        assert summarize_with(worker, batch) == summarize_paths(batch)
    finally:
        worker.close()


def test_no_worker_at_all(batch: list[str]):
    assert summarize_with(None, batch) == summarize_paths(batch)
