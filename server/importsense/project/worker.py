"""A child process that summarises files for the index, so parsing runs beside the server, not under its lock.

The language server's index needs a summary of every first-party module. Parsing is pure CPU and
holds the interpreter lock: on a thread it takes turns with the analyses of the files being edited.
`SummaryWorker` starts one child interpreter (this module's `main`) that reads
requests on stdin and answers on stdout, each a length-prefixed marshal frame:

    request:  (request_id, kind, [path, ...])    kind: "full" | "lookup"
    answer:   (request_id, [(path, record | None), ...], seconds spent, last)

A "full" request is answered in one frame; a "lookup" request file by file (`last` marks the end), so
the server can work through the same list from its other end and stop where the two meet. A "full"
record is `SummaryEntry.to_record()` (what the disk cache stores); a "lookup" record is the same shape
for an interface-only summary (no attribute uses: enough to look names up, cheaper), which the caller
must mark as such (`lookup_entry`). The child never executes user code: it reads and parses.
It exits when its stdin closes, so it dies with the server. When it cannot start or dies, the futures
fail with `WorkerUnavailable` and callers summarise in their own process instead.
"""

from __future__ import annotations

import logging
import marshal
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

HEADER = struct.Struct("<I")
MAX_RESTARTS = 3  # a child that keeps dying (a file that crashes the parser?) is given up on
WORKER_ENV = "IMPORTSENSE_WORKER"  # "off": summarise in the server's own process


class WorkerUnavailable(RuntimeError):
    """The worker process is not running (could not start, died, or was closed)."""


# ---------------------------------------------------------------------------
# the child
# ---------------------------------------------------------------------------


def _read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (length,) = HEADER.unpack(header)
    data = stream.read(length)
    return data if len(data) == length else None


def _write_frame(stream: BinaryIO, payload: object) -> None:
    data = marshal.dumps(payload)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def serve(stdin: BinaryIO, stdout: BinaryIO) -> int:
    """The child's loop: answer requests until stdin closes."""
    import gc
    import time

    from .sources import summarize_paths  # loaded while the server starts

    gc.disable()  # summaries are freed by reference counting; collect between requests instead
    while True:
        frame = _read_frame(stdin)
        if frame is None:
            return 0
        started = time.perf_counter()
        request_id, kind, paths = marshal.loads(frame)
        if kind == "lookup":
            for path in paths:
                try:
                    records = summarize_paths([path], uses=False)
                except Exception:  # noqa: BLE001 - one bad file must not end the worker
                    records = [(path, None)]
                _write_frame(stdout, (request_id, records, time.perf_counter() - started, False))
            records = []
        else:
            try:
                records = summarize_paths(paths)
            except Exception:  # noqa: BLE001
                records = [(p, None) for p in paths]
        _write_frame(stdout, (request_id, records, time.perf_counter() - started, True))
        gc.collect(0)


# ---------------------------------------------------------------------------
# the server's side
# ---------------------------------------------------------------------------


def worker_enabled() -> bool:
    return os.environ.get(WORKER_ENV, "").strip().lower() not in {"off", "0", "false", "no"}


@dataclass
class _Request:
    future: Future
    arrived: Callable[[list[tuple[str, tuple | None]]], None] | None
    records: list[tuple[str, tuple | None]]


class SummaryWorker:
    """The server's handle on the child: `submit` returns a Future of the records; thread-safe."""

    def __init__(self, python: str | None = None) -> None:
        self._python = python or sys.executable
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._pending: dict[int, _Request] = {}
        self._next_id = 0
        self._starts = 0
        self._closed = False

    @classmethod
    def start(cls) -> SummaryWorker | None:
        """A started worker, or None when disabled (IMPORTSENSE_WORKER=off) or it cannot start."""
        if not worker_enabled():
            return None
        worker = cls()
        with worker._lock:
            if not worker._spawn():
                return None
        return worker

    @property
    def alive(self) -> bool:
        process = self._process
        return not self._closed and process is not None and process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _spawn(self) -> bool:
        """Start the child (lock held); False when it cannot be started or has died too often."""
        if self._closed or self._starts > MAX_RESTARTS:
            return False
        self._starts += 1
        package_parent = str(Path(__file__).resolve().parents[2])  # found last: an installed copy wins
        bootstrap = (f"import sys; sys.path.append({package_parent!r}); "
                     "from importsense.project.worker import main; sys.exit(main())")
        try:
            process = subprocess.Popen(
                [self._python, "-c", bootstrap],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True,
            )
        except OSError as error:
            log.warning("could not start the summary worker (%s): summarising in the server", error)
            self._starts = MAX_RESTARTS + 1
            return False
        self._process = process
        _widen_pipe(process.stdout)
        reader = threading.Thread(target=self._read_answers, args=(process,), name="importsense-worker-reader",
                                  daemon=True)
        reader.start()
        return True

    def submit(self, paths: list[str], kind: str = "full",
               arrived: Callable[[list[tuple[str, tuple | None]]], None] | None = None) -> Future:
        """A Future of the records for `paths` (see the module docstring); fails with WorkerUnavailable.

        `arrived` is called (on the reader thread) with each part of the answer as it comes in.
        """
        future: Future = Future()
        with self._lock:
            if not self.alive and not self._spawn():
                future.set_exception(WorkerUnavailable("the summary worker is not running"))
                return future
            process = self._process
            assert process is not None and process.stdin is not None
            self._next_id += 1
            request_id = self._next_id
            self._pending[request_id] = _Request(future, arrived, [])
            try:
                _write_frame(process.stdin, (request_id, kind, list(paths)))
            except (OSError, ValueError) as error:
                self._pending.pop(request_id, None)
                future.set_exception(WorkerUnavailable(f"the summary worker is gone: {error}"))
        return future

    def _read_answers(self, process: subprocess.Popen) -> None:
        """Reader thread: resolve futures as answers arrive; fail the rest when the child's output ends."""
        stdout = process.stdout
        assert stdout is not None
        while True:
            try:
                frame = _read_frame(stdout)
            except (OSError, ValueError):
                frame = None
            if frame is None:
                break
            try:
                request_id, records, seconds, last = marshal.loads(frame)
            except (EOFError, ValueError, TypeError):
                break
            with self._lock:
                request = self._pending.pop(request_id, None) if last else self._pending.get(request_id)
            if request is None:
                continue
            request.records.extend(records)
            if request.arrived is not None and records:
                request.arrived(records)
            if last:
                log.debug("worker: %d files in %.0f ms", len(request.records), seconds * 1000)
                _settle(request.future, request.records)
        with self._lock:
            if self._process is process:
                failed, self._pending = self._pending, {}
            else:
                failed = {}
        if failed and not self._closed:
            log.warning("the summary worker exited (%s): summarising in the server", process.poll())
        for request in failed.values():
            _settle(request.future, WorkerUnavailable("the summary worker exited"))

    def close(self, timeout: float = 2.0) -> None:
        """Close the child's stdin (it exits), wait a little, then kill it."""
        with self._lock:
            self._closed = True
            process = self._process
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def _settle(future: Future, outcome: object) -> None:
    """Resolve a future unless its waiter cancelled it meanwhile (asyncio.wrap_future cancels on shutdown)."""
    try:
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
    except InvalidStateError:
        pass


def _widen_pipe(stream: BinaryIO | None) -> None:
    """Linux: a 1 MiB pipe for the answers, so the worker never waits for the server's reader thread
    (which needs the server's interpreter lock to empty it) before parsing the next file."""
    if stream is None or not sys.platform.startswith("linux"):
        return
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except OSError:
        pass


def lookup_entry(record: tuple):
    """A SummaryEntry for a "lookup" record: decoded now and marked interface-only (never cached to disk)."""
    from .codec import decode_summary
    from .sources import SummaryEntry

    size, mtime_ns, digest, data = record
    summary = decode_summary(marshal.loads(data))
    summary.interface_only = True
    return SummaryEntry(size, mtime_ns, digest, summary)


def main() -> int:
    return serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main())
