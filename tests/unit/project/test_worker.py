"""The summary worker: a real child process whose answers equal summarising in-process, and what happens when it dies."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from importsense.project.codec import encode_summary
from importsense.project.sources import SummaryEntry, summarize_bytes, summarize_paths
from importsense.project.worker import (
    MAX_RESTARTS,
    SummaryWorker,
    WorkerUnavailable,
    lookup_entry,
)

TIMEOUT = 30

SOURCES = {
    "plain.py": "import os\n\nclass Service:\n    def run(self):\n        return os.getcwd()\n\nVALUE = Service().run\n",
    "broken.py": "def half(:\n",
    "latin.py": b"# no coding cookie\nname = '\xe9'\n",
    "starry.py": "from os.path import *\n__all__ = ['join']\n\ndef __getattr__(name):\n    raise AttributeError(name)\n",
}


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    paths = []
    for name, content in SOURCES.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        paths.append(str(path))
    return paths


@pytest.fixture
def worker():
    started = SummaryWorker.start()
    assert started is not None and started.alive
    yield started
    started.close()


def test_full_records_equal_summarising_in_process(worker: SummaryWorker, files: list[str]):
    missing = files[0] + ".gone"
    records = worker.submit([*files, missing]).result(TIMEOUT)
    assert [key for key, _ in records] == [*files, missing]
    assert dict(records)[missing] is None
    expected = dict(summarize_paths(files))
    for key, record in records[:-1]:
        assert record[:3] == expected[key][:3]  # size, mtime, digest
        got = SummaryEntry.from_record(record).summary
        assert encode_summary(got) == encode_summary(SummaryEntry.from_record(expected[key]).summary)
        assert not got.interface_only
    broken = SummaryEntry.from_record(dict(records)[files[1]]).summary
    assert broken.syntax_error is not None


def test_lookup_records_arrive_file_by_file_and_are_marked_interface_only(worker: SummaryWorker, files: list[str]):
    parts: list[list] = []
    records = worker.submit(files, kind="lookup", arrived=parts.append).result(TIMEOUT)
    assert len(parts) == len(files) and [p[0][0] for p in parts] == files
    assert [key for key, _ in records] == files
    for key, record in records:
        entry = lookup_entry(record)
        assert entry.interface_only and entry.summary.interface_only
        assert not entry.compactable  # never compacted (or written) as if it were complete
        expected = summarize_bytes(Path(key), Path(key).read_bytes(), uses=False)
        assert encode_summary(entry.summary) == encode_summary(expected)
    starry = lookup_entry(dict(records)[files[3]]).summary
    assert starry.has_getattr and list(starry.all_names) == ["join"]


def test_requests_are_answered_in_order_while_several_are_pending(worker: SummaryWorker, files: list[str]):
    futures = [worker.submit([f]) for f in files * 3]
    assert [future.result(TIMEOUT)[0][0] for future in futures] == files * 3


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
def test_a_killed_worker_fails_its_requests_and_the_next_one_starts_a_new_child(worker: SummaryWorker,
                                                                                files: list[str], tmp_path: Path):
    big = tmp_path / "big.py"
    big.write_text("".join(f"def f{i}(a, b):\n    return a + b * {i}\n" for i in range(40_000)))
    first_pid = worker.pid
    pending = worker.submit([str(big)] * 20)  # long enough to be running when the signal arrives
    time.sleep(0.2)
    os.kill(first_pid, signal.SIGKILL)
    with pytest.raises(WorkerUnavailable):
        pending.result(TIMEOUT)
    deadline = time.monotonic() + TIMEOUT
    while worker.alive and time.monotonic() < deadline:
        time.sleep(0.01)
    records = worker.submit(files[:1]).result(TIMEOUT)
    assert records[0][1] is not None
    assert worker.pid != first_pid and worker.alive


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
def test_a_worker_that_keeps_dying_is_given_up_on(worker: SummaryWorker, files: list[str]):
    children = []
    for _ in range(MAX_RESTARTS + 3):
        if not worker.alive:
            break
        children.append(worker.pid)
        os.kill(worker.pid, signal.SIGKILL)
        deadline = time.monotonic() + TIMEOUT
        while worker.alive and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            worker.submit(files[:1]).result(TIMEOUT)  # starts a new child while restarts are left
        except WorkerUnavailable:
            pass
    assert len(set(children)) == MAX_RESTARTS + 1  # the first child and MAX_RESTARTS more
    assert not worker.alive
    with pytest.raises(WorkerUnavailable):
        worker.submit(files[:1]).result(1)  # fails at once


def test_close_ends_the_child_and_later_requests_fail(files: list[str]):
    worker = SummaryWorker.start()
    assert worker is not None
    process = worker._process
    worker.close()
    assert process.poll() is not None
    assert not worker.alive
    with pytest.raises(WorkerUnavailable):
        worker.submit(files).result(1)


def test_the_child_exits_when_the_server_side_of_its_pipe_closes(files: list[str]):
    worker = SummaryWorker.start()
    assert worker is not None
    process = worker._process
    process.stdin.close()  # what the server's death looks like to the child
    assert process.wait(TIMEOUT) == 0
    worker.close()


def test_disabled_by_the_environment(monkeypatch):
    monkeypatch.setenv("IMPORTSENSE_WORKER", "off")
    assert SummaryWorker.start() is None


def test_an_interpreter_that_cannot_start_means_no_worker(monkeypatch, tmp_path: Path):
    worker = SummaryWorker(python=str(tmp_path / "no-such-python"))
    with worker._lock:
        assert not worker._spawn()
    with pytest.raises(WorkerUnavailable):
        worker.submit(["x.py"]).result(1)
