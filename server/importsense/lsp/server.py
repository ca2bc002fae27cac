"""The language server: pygls wiring, protocol hygiene, logging, and `start_server` for `importsense serve`."""

from __future__ import annotations

import asyncio
import atexit
import gc
import logging
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method

from .. import __version__
from ..project.worker import SummaryWorker
from .codecache import CodeCache
from .features import (
    code_actions,
    collection,
    commands,
    definition,
    diagnostics,
    hover,
    workspace,
)
from .session import Session

log = logging.getLogger("importsense")
CODE_CACHE_SAVE_DELAY = 2.0  # seconds after start-up
_HANDLED = object()  # a message the protocol already answered (or dropped) while decoding it


class ImportSenseProtocol(LanguageServerProtocol):
    """pygls' protocol, made to answer every request and to leave document text to `documents.py`."""

    _server: ImportSenseServer

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Decode one message; a request whose params do not decode gets an InvalidParams error response.

        pygls 2.1 logs "Unable to deserialize message" and never answers such a request, so the client
        would wait forever.
        """
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            detail = error.__cause__ or error
            log.warning("cannot decode %s: %s", data.get("method", "a response") if isinstance(data, dict) else "a message",
                        _short(detail))
            if isinstance(data, dict) and "jsonrpc" in data and "id" in data:
                if "method" in data:
                    message = f"invalid params for {data.get('method')!r}: {_short(detail)}"
                    self._send_response(data["id"], error=types.ResponseError(
                        code=JsonRpcInvalidParams.CODE, message=message))
                else:  # a response to one of our requests that does not decode: fail that request
                    future = self._request_futures.pop(data["id"], None)
                    if future is not None and not future.done():
                        future.set_exception(error)
            return _HANDLED

    def handle_message(self, message: Any) -> None:
        server = self._server
        if server.loop is None:
            server.loop = asyncio.get_running_loop()
            server.loop_thread = threading.get_ident()
        if message is _HANDLED:
            return
        if isinstance(message, dict):  # not JSON-RPC 2.0 at all
            if "id" in message and "method" in message:
                self._send_response(message["id"], error=types.ResponseError(
                    code=-32600, message="invalid request: not a JSON-RPC 2.0 message"))
            return
        method = getattr(message, "method", None)
        if self._shutdown and method is not None and method != types.EXIT and hasattr(message, "id"):
            self._send_response(message.id, error=types.ResponseError(
                code=-32600, message="the server is shutting down"))
            return
        super().handle_message(message)

    # Open documents live in lsp/documents.py (LSP line rules, incremental); pygls' copies are not kept.
    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__


class ImportSenseServer(LanguageServer):
    """The importsense language server; `session` holds the state of the connection."""

    def __init__(self) -> None:
        super().__init__("importsense", __version__, protocol_cls=ImportSenseProtocol,
                         converter_factory=default_converter,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.loop_thread: int | None = None
        self.session = Session(self)

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """Serve over stdio, reading with asyncio's pipe reader (pygls' reader hops to a thread per line)."""
        stdin = stdin or sys.stdin.buffer
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def serve() -> None:
            loop = asyncio.get_running_loop()
            try:
                stream = asyncio.StreamReader(limit=2 ** 31)
                await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
                reader: Any = _PipeReader(stream)
            except (OSError, ValueError):  # not a pipe (a regular file): pygls' threaded reader
                reader = StdinAsyncReader(stdin, self.thread_pool)
            await run_async(stop_event=self._stop_event, reader=reader, protocol=self.protocol,
                            logger=log, error_handler=self.report_server_error)

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            log.error("the connection to the client is lost")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors go to the log, never to a pop-up: the failing request has its own error response."""
        log.error("%s: %s", getattr(source, "__name__", source), _short(error))


class _PipeReader:
    """asyncio.StreamReader with the reader interface pygls' loop expects (b"" at end of input)."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream

    async def readline(self) -> bytes:
        return await self.stream.readline()

    async def readexactly(self, size: int) -> bytes:
        try:
            return await self.stream.readexactly(size)
        except asyncio.IncompleteReadError:
            return b""


def create_server() -> ImportSenseServer:
    server = ImportSenseServer()
    session = server.session
    workspace.register(server, session)
    diagnostics.register(server, session)
    code_actions.register(server, session)
    hover.register(server, session)
    definition.register(server, session)
    commands.register(server, session)
    collection.register(server, session)
    return server


class ClientLogHandler(logging.Handler):
    """Log records as window/logMessage notifications, sent from the event loop's thread."""

    _LEVELS = ((logging.ERROR, types.MessageType.Error), (logging.WARNING, types.MessageType.Warning),
               (logging.INFO, types.MessageType.Info))

    def __init__(self, server: ImportSenseServer) -> None:
        super().__init__(logging.INFO)
        self.server = server
        self._local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._local, "busy", False) or self.server.protocol.writer is None:
            return
        self._local.busy = True
        try:
            message = self.format(record)
            kind = next((t for level, t in self._LEVELS if record.levelno >= level), types.MessageType.Log)
            params = types.LogMessageParams(type=kind, message=message)
            self.server.session._call_on_loop(lambda: self.server.window_log_message(params))
        except Exception:  # noqa: BLE001, S110 - logging must never raise (and cannot log its own failure)
            pass
        finally:
            self._local.busy = False


def configure_logging(server: ImportSenseServer, log_file: Path | None) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.DEBUG if log_file else logging.INFO)
    client = ClientLogHandler(server)
    client.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(client)
    if log_file is not None:
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(threadName)s: %(message)s"))
        file_handler.setLevel(logging.DEBUG)
        root.addHandler(file_handler)
    for noisy in ("pygls", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("pygls.protocol.json_rpc").setLevel(logging.CRITICAL)  # decode failures: logged by us, briefly


def keep_code_cache(cache: CodeCache) -> None:
    """Write what start-up compiled once the first messages are handled (off the loop), and again at exit."""
    if cache.path is None:
        return
    log.debug("start-up code cache %s: %d reused, %d compiled", cache.path, cache.hits, cache.misses)
    timer = threading.Timer(CODE_CACHE_SAVE_DELAY, cache.save)
    timer.daemon = True
    timer.start()
    atexit.register(cache.save)


def start_server(tcp: str | None = None, log_file: Path | None = None, code_cache: CodeCache | None = None,
                 worker: SummaryWorker | None = None) -> int:
    """Run the server over stdio (default) or TCP `HOST:PORT`; returns the process exit code.

    `worker`: the summary worker process, started by the caller before the protocol modules loaded.
    """
    server = create_server()
    server.session.worker = worker
    if worker is not None:
        atexit.register(worker.close)
    configure_logging(server, log_file)
    if code_cache is not None:
        keep_code_cache(code_cache)
    gc.freeze()  # the thousands of protocol classes loaded at start-up never die: keep the collector off them
    if tcp:
        host, _, port = tcp.rpartition(":")
        try:
            port_number = int(port)
        except ValueError:
            print(f"importsense serve: --tcp wants HOST:PORT, got {tcp!r}", file=sys.stderr)
            return 2
        log.info("importsense %s listening on %s:%d", __version__, host or "127.0.0.1", port_number)
        server.start_tcp(host or "127.0.0.1", port_number)
        return 0
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed by mistake must not corrupt the protocol stream
    try:
        server.start_io(stdin, stdout)
    except Exception:  # noqa: BLE001
        traceback.print_exc(file=sys.stderr)
        return 1
    return 0
