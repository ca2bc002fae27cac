"""Benchmark language servers (importsense, pyright, ty) on a synthetic project: first diagnostics, per-edit latency, code actions, memory.

Usage: python bench/bench_lsp.py [--quick] [--servers importsense,pyright,ty] [--edits 100]
                                 [--install-peers] [--json OUT]
       python bench/bench_lsp.py --starts 12 [--compare-worker] [--servers ...]   (start-up only)

A minimal JSON-RPC client over stdio (Content-Length framing, asyncio pipes) drives each server:
initialize -> didOpen a big module -> wait for its first diagnostics -> N single-line incremental
edits, each timed until the diagnostics for that version arrive (pushed publishDiagnostics, or the
answer to a textDocument/diagnostic pull for servers that are driven in pull mode) -> codeAction
on a relative import line -> VmHWM of the server's process tree -> shutdown. `--starts N` runs only
the first part (start -> first diagnostics) N times per server and module, interleaved, and prints
medians with their range; `--compare-worker` adds importsense with its summary worker turned off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import generate
from common import (
    WORK_DIR,
    ProjectParams,
    Results,
    cached_project,
    find_tool,
    fmt,
    importsense_command,
    install_pyright,
    machine_summary,
    markdown_table,
    percentile,
    save_manifest,
    tree_kb,
)

CODE_CACHE = WORK_DIR / "lsp-startup-code.marshal"  # importsense's start-up code cache (lsp/codecache.py)

# ---------------------------------------------------------------------------
# A minimal LSP client
# ---------------------------------------------------------------------------


class LspError(Exception):
    """The server answered a request with an error, died, or did not answer in time."""


@dataclass
class Published:
    """One textDocument/publishDiagnostics notification as received."""

    at: float
    uri: str
    version: int | None
    diagnostics: list[dict]


class LspClient:
    """JSON-RPC 2.0 over a child's stdin/stdout with LSP's Content-Length framing."""

    def __init__(self, proc: asyncio.subprocess.Process, settings: Callable[[str | None], Any]):
        self.proc = proc
        self.settings = settings  # section -> value for workspace/configuration
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.published: list[Published] = []
        self.waiters: list[tuple[Callable[[Published], bool], asyncio.Future]] = []
        self.closed = asyncio.Event()
        self.reader = asyncio.create_task(self._read_loop())

    @classmethod
    async def start(cls, command: list[str], cwd: Path, stderr_path: Path,
                    settings: Callable[[str | None], Any], env: dict[str, str] | None = None) -> LspClient:
        with open(stderr_path, "wb") as stderr:  # noqa: ASYNC230 - opening one log file before spawning
            proc = await asyncio.create_subprocess_exec(
                *command, cwd=cwd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=stderr, limit=1 << 24, start_new_session=True, env=env,
            )
        return cls(proc, settings)

    # -- wire ------------------------------------------------------------------

    async def _send(self, message: dict) -> None:
        body = json.dumps(message, separators=(",", ":")).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await self.proc.stdin.drain()

    async def _read_message(self) -> dict | None:
        assert self.proc.stdout is not None
        length = None
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii", errors="replace").partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
        if length is None:
            raise LspError("message without Content-Length")
        return json.loads(await self.proc.stdout.readexactly(length))

    async def _read_loop(self) -> None:
        try:
            while True:
                message = await self._read_message()
                if message is None:
                    break
                await self._dispatch(message)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, LspError):
            pass
        finally:
            self.closed.set()
            for future in list(self.pending.values()):
                if not future.done():
                    future.set_exception(LspError("server closed its output"))
            for _, future in self.waiters:
                if not future.done():
                    future.set_exception(LspError("server closed its output"))

    async def _dispatch(self, message: dict) -> None:
        now = time.perf_counter()
        method = message.get("method")
        if method is None and "id" in message:  # a response
            future = self.pending.pop(message["id"], None)
            if future and not future.done():
                if "error" in message:
                    future.set_exception(LspError(f"{message['error'].get('code')}: {message['error'].get('message')}"))
                else:
                    future.set_result((now, message.get("result")))
            return
        if "id" in message:  # a request from the server
            await self._send({"jsonrpc": "2.0", "id": message["id"], "result": self._answer(method, message.get("params"))})
            return
        if method == "textDocument/publishDiagnostics":
            params = message.get("params") or {}
            record = Published(now, params.get("uri", ""), params.get("version"), params.get("diagnostics") or [])
            self.published.append(record)
            for predicate, future in list(self.waiters):
                if not future.done() and predicate(record):
                    future.set_result(record)
            self.waiters = [(p, f) for p, f in self.waiters if not f.done()]

    def _answer(self, method: str, params: Any) -> Any:
        if method == "workspace/configuration":
            return [self.settings((item or {}).get("section")) for item in (params or {}).get("items", [])]
        return None  # client/registerCapability, window/workDoneProgress/create, refresh requests, ...

    # -- API -------------------------------------------------------------------

    async def request(self, method: str, params: Any, timeout: float = 60.0) -> tuple[float, Any]:
        """Send a request; (time the answer arrived, result)."""
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            self.pending.pop(self.next_id, None)
            raise LspError(f"no answer to {method} within {timeout:.0f}s") from None

    async def notify(self, method: str, params: Any) -> None:
        await self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def expect(self, predicate: Callable[[Published], bool]) -> asyncio.Future:
        """A future for the first publishDiagnostics (from now on) matching `predicate`."""
        future = asyncio.get_running_loop().create_future()
        self.waiters.append((predicate, future))
        return future

    async def close(self, timeout: float = 10.0) -> None:
        try:
            if not self.closed.is_set():
                await self.request("shutdown", None, timeout=timeout)
                await self.notify("exit", None)
        except (LspError, ConnectionError, RuntimeError):
            pass
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            self.kill()
            await self.proc.wait()
        self.reader.cancel()

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """How to start one language server and talk to it."""

    name: str
    command: list[str]
    pull: bool = False  # drive diagnostics with textDocument/diagnostic instead of waiting for pushes
    init_options: dict | None = None
    settings: dict = field(default_factory=dict)  # workspace/configuration answers by section
    cache_env: str | None = None  # env var naming the server's on-disk cache dir (emptied per run)
    code_cache_env: str | None = None  # env var naming the server's start-up code cache (kept, like bytecode)
    indexing_probe: str | None = None  # a request whose result says {"indexing": bool}: wait for the whole index
    env: dict = field(default_factory=dict)  # extra environment variables


def available_servers(names: list[str], install: bool) -> tuple[list[Server], list[str]]:
    """The servers asked for that can be started, and a note for each one that cannot."""
    servers, missing = [], []
    for name in names:
        if name == "importsense":
            servers.append(Server("importsense", [*importsense_command(), "serve"], init_options={"debounce": 0},
                                  settings={"importsense": {"debounce": 0}}, cache_env="IMPORTSENSE_CACHE_DIR",
                                  code_cache_env="IMPORTSENSE_CODE_CACHE",
                                  indexing_probe="importsense/collectionStatus"))
        elif name == "pyright":
            path = find_tool("pyright-langserver")
            if path is None and install:
                install_pyright()
                path = find_tool("pyright-langserver")
            if path is None:
                missing.append("pyright: pyright-langserver not found (use --install-peers)")
                continue
            analysis = {"diagnosticMode": "openFilesOnly", "typeCheckingMode": "standard",
                        "autoSearchPaths": True, "useLibraryCodeForTypes": True}
            servers.append(Server("pyright", [path, "--stdio"], settings={
                "python": {"pythonPath": sys.executable, "analysis": analysis},
                "python.analysis": analysis, "pyright": {}}))
        elif name == "ty":
            path = find_tool("ty")
            if path is None:
                missing.append("ty: not installed")
                continue
            servers.append(Server("ty", [path, "server"], pull=True,
                                  init_options={"settings": {}}, settings={"ty": {}}))
        else:
            missing.append(f"{name}: unknown server")
    return servers, missing


# ---------------------------------------------------------------------------
# One scenario: one server, one module
# ---------------------------------------------------------------------------


@dataclass
class ScenarioResult:
    """What one server did with one opened module."""

    server: str
    module_lines: int
    first_diagnostics: float | None = None  # seconds from process start
    open_to_diagnostics: float | None = None  # seconds from didOpen (sent right after `initialized`)
    initialize: float | None = None
    edit_latencies: list[float] = field(default_factory=list)  # seconds
    edits_reflected: int = 0  # answers whose diagnostics matched the toggled state of the line
    edits_sent: int = 0
    code_action: list[float] = field(default_factory=list)
    code_actions_returned: int | None = None
    peak_rss_mb: float | None = None
    indexed: float | None = None  # seconds from process start until the whole workspace was indexed
    indexed_rss_mb: float | None = None  # peak RSS then
    edit_latencies_indexed: list[float] = field(default_factory=list)  # the edits again, after indexing
    second_open: float | None = None  # didOpen -> diagnostics of another module opened after the edits
    second_open_indexing: bool | None = None  # importsense: was the workspace still being indexed then?
    error: str | None = None


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def on_line(diagnostics: list[dict], line0: int) -> list[dict]:
    return [d for d in diagnostics if d.get("range", {}).get("start", {}).get("line") == line0]


async def run_scenario(server: Server, root: Path, module: generate.LargeModule, edits: int,
                       timeout: float, keep_cache: bool = False, cold_code_cache: bool = False,
                       second: generate.LargeModule | None = None) -> ScenarioResult:
    result = ScenarioResult(server.name, module.lines)
    path = root / module.relpath
    uri = uri_of(path)
    text_lines = path.read_text(encoding="utf-8").split("\n")
    stderr_path = WORK_DIR / f"lsp-{server.name}-{module.lines}.stderr"

    def settings(section: str | None) -> Any:
        if section is None:
            return server.settings
        value = server.settings.get(section)
        if value is None and "." in section:
            head, _, rest = section.partition(".")
            value = (server.settings.get(head) or {}).get(rest)
        return value

    env = dict(os.environ, **server.env) if server.env else None
    if server.cache_env:
        cache = WORK_DIR / f"lsp-cache-{server.name}"
        if not keep_cache:
            shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True, exist_ok=True)
        env = dict(env or os.environ, **{server.cache_env: str(cache)})
    if server.code_cache_env:
        if cold_code_cache:
            CODE_CACHE.unlink(missing_ok=True)
        env = dict(env or os.environ, **{server.code_cache_env: str(CODE_CACHE)})
    started = time.perf_counter()
    try:
        client = await LspClient.start(server.command, root, stderr_path, settings, env)
    except OSError as error:
        result.error = f"could not start: {error}"
        return result
    try:
        capabilities: dict[str, Any] = {
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": False},
            "workspace": {"configuration": True, "workspaceFolders": True,
                          "didChangeConfiguration": {"dynamicRegistration": False}},
            "textDocument": {
                "synchronization": {"dynamicRegistration": False, "didSave": True},
                "publishDiagnostics": {"relatedInformation": True, "versionSupport": True,
                                       "dataSupport": True},
                "codeAction": {
                    "dynamicRegistration": False, "isPreferredSupport": True, "dataSupport": True,
                    "resolveSupport": {"properties": ["edit"]},
                    "codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                        "", "quickfix", "refactor", "refactor.rewrite", "source", "source.organizeImports",
                        "source.fixAll"]}},
                },
            },
        }
        if server.pull:
            capabilities["textDocument"]["diagnostic"] = {"dynamicRegistration": False,
                                                          "relatedDocumentSupport": False}
        init_params = {
            "processId": os.getpid(), "clientInfo": {"name": "importsense-bench", "version": "1"},
            "rootUri": uri_of(root), "rootPath": str(root),
            "workspaceFolders": [{"uri": uri_of(root), "name": root.name}],
            "capabilities": capabilities, "initializationOptions": server.init_options,
        }
        answered, init_result = await client.request("initialize", init_params, timeout=timeout)
        result.initialize = answered - started
        if server.pull and not (init_result or {}).get("capabilities", {}).get("diagnosticProvider"):
            raise LspError("server does not offer pull diagnostics (diagnosticProvider)")
        await client.notify("initialized", {})

        toggle0 = module.toggle_line - 1
        opened = time.perf_counter()
        diagnostics = await open_and_wait(client, server, uri, "\n".join(text_lines), timeout)
        result.first_diagnostics = diagnostics[0] - started
        result.open_to_diagnostics = diagnostics[0] - opened
        last_diagnostics = diagnostics[1]

        # single-line edits: toggle an imported name between a broken and the valid spelling
        valid_line = text_lines[toggle0]
        broken_line = valid_line.replace(f"import {module.toggle_name}", f"import {module.toggle_broken}")
        version = 1

        async def edit_series(latencies: list[float]) -> list[dict]:
            """`edits` toggles (an even number: the line ends valid); returns the last diagnostics."""
            nonlocal version
            last: list[dict] = []
            current = valid_line
            for i in range(1, edits + 1):
                version += 1
                broken = i % 2 == 1
                new_line = broken_line if broken else valid_line
                change = {"range": {"start": {"line": toggle0, "character": 0},
                                    "end": {"line": toggle0, "character": len(current)}},
                          "text": new_line}
                sent, diags = await change_and_wait(client, server, uri, version, change, timeout)
                current = new_line
                result.edits_sent += 1
                latencies.append(sent)
                if bool(on_line(diags, toggle0)) == broken:
                    result.edits_reflected += 1
                last = diags
            return last

        last_diagnostics = await edit_series(result.edit_latencies) or last_diagnostics

        # code action on the relative import line (document is back to valid when edits is even)
        relative0 = module.relative_line - 1
        line_text = text_lines[relative0]
        context_diags = on_line(last_diagnostics, relative0)
        for _ in range(5):
            t0 = time.perf_counter()
            answered, actions = await client.request("textDocument/codeAction", {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": relative0, "character": 0},
                          "end": {"line": relative0, "character": len(line_text)}},
                "context": {"diagnostics": context_diags, "triggerKind": 1},
            }, timeout=timeout)
            result.code_action.append(answered - t0)
            result.code_actions_returned = len(actions or [])
        if second is not None:  # a file opened while the workspace is still being indexed (importsense)
            second_path = root / second.relpath
            if server.indexing_probe:
                _, status = await client.request(server.indexing_probe, None, timeout=timeout)
                result.second_open_indexing = bool((status or {}).get("indexing", False))
            t0 = time.perf_counter()
            answered, _ = await open_and_wait(client, server, uri_of(second_path),
                                              second_path.read_text(encoding="utf-8"), timeout)
            result.second_open = answered - t0
        result.peak_rss_mb = tree_kb(client.proc.pid, "VmHWM") / 1024.0
        if server.indexing_probe:  # memory with the whole workspace indexed, not just the open module's imports
            while True:
                _, status = await client.request(server.indexing_probe, None, timeout=timeout)
                if not (status or {}).get("indexing", False):
                    break
                if time.perf_counter() - started > timeout:
                    raise LspError(f"still indexing after {timeout:.0f}s")
                await asyncio.sleep(0.25)
            result.indexed = time.perf_counter() - started
            result.indexed_rss_mb = tree_kb(client.proc.pid, "VmHWM") / 1024.0
            await edit_series(result.edit_latencies_indexed)  # the same edits with nothing else running
    except (LspError, ConnectionError, asyncio.TimeoutError) as error:
        result.error = str(error) or type(error).__name__
        if client.closed.is_set():
            try:
                await asyncio.wait_for(client.proc.wait(), 5)
            except asyncio.TimeoutError:
                pass
        tail = stderr_path.read_text(errors="replace").strip().splitlines() if stderr_path.exists() else []
        if client.proc.returncode is not None or client.closed.is_set():
            result.error += f" (server exited {client.proc.returncode}; stderr: {tail[-1][:200] if tail else '-'})"
    finally:
        await client.close()
    return result


async def open_and_wait(client: LspClient, server: Server, uri: str, text: str,
                        timeout: float) -> tuple[float, list[dict]]:
    """didOpen; (arrival time, diagnostics) of the first diagnostics for the document."""
    if server.pull:
        await client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        answered, report = await client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}},
                                                timeout=timeout)
        return answered, (report or {}).get("items", [])
    future = client.expect(lambda p: p.uri == uri)
    await client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})
    record = await asyncio.wait_for(future, timeout)
    return record.at, record.diagnostics


async def change_and_wait(client: LspClient, server: Server, uri: str, version: int, change: dict,
                          timeout: float) -> tuple[float, list[dict]]:
    """didChange; (seconds until diagnostics for `version` arrived, those diagnostics)."""
    params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
    if server.pull:
        t0 = time.perf_counter()
        await client.notify("textDocument/didChange", params)
        answered, report = await client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}},
                                                timeout=timeout)
        return answered - t0, (report or {}).get("items", [])
    t0 = time.perf_counter()

    def matches(p: Published) -> bool:
        # servers that tag diagnostics with a version must tag this one; others: first after the change
        return p.uri == uri and (p.version == version if p.version is not None else p.at > t0)

    future = client.expect(matches)
    t0 = time.perf_counter()
    await client.notify("textDocument/didChange", params)
    try:
        record = await asyncio.wait_for(future, timeout)
    except asyncio.TimeoutError:
        raise LspError(f"no diagnostics for version {version} within {timeout:.0f}s") from None
    return record.at - t0, record.diagnostics


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def prepare_workspace(params: ProjectParams) -> tuple[generate.GeneratedProject, list[generate.LargeModule]]:
    """The synthetic project plus a 5,000-line and a 1,500-line module (cached under bench/.work)."""
    project, _ = cached_project(params, "lsp")
    modules = []
    for name, lines in (("large_module", 5000), ("medium_module", 1500)):
        info = project.large_modules.get(name)
        if info is None or not (project.root / info["relpath"]).exists():
            large = generate.make_large_module(project, lines=lines, name=name)
            project.large_modules[name] = large.__dict__
            save_manifest(project, params, "lsp")
        modules.append(generate.LargeModule(**project.large_modules[name]))
    return project, modules


def ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.1f}" if value < 0.01 else f"{value * 1000:.0f}"


def render(results: list[ScenarioResult]) -> str:
    rows = []
    for r in results:
        lat = r.edit_latencies
        status = "ok" if not r.error else f"FAILED: {r.error}"
        rows.append([
            r.server, r.module_lines, fmt(r.first_diagnostics), ms(r.open_to_diagnostics), ms(percentile(lat, 50)), ms(percentile(lat, 95)),
            ms(max(lat) if lat else None), f"{r.edits_reflected}/{r.edits_sent}" if r.edits_sent else "-",
            ms(percentile(r.code_action, 50)), "-" if r.code_actions_returned is None else r.code_actions_returned,
            fmt(r.peak_rss_mb, 0), fmt(r.indexed, 1), fmt(r.indexed_rss_mb, 0),
            ms(percentile(r.edit_latencies_indexed, 50)), ms(percentile(r.edit_latencies_indexed, 95)),
            "-" if r.second_open is None else ms(r.second_open) + (" (indexing)" if r.second_open_indexing else ""),
            status,
        ])
    table = markdown_table(["server", "module lines", "first diagnostics s", "didOpen to diagnostics ms",
                            "edit p50 ms", "edit p95 ms",
                            "edit max ms", "edits reflected", "code action ms", "actions", "peak RSS MB",
                            "indexed after s", "peak RSS indexed MB", "edit p50 ms indexed",
                            "edit p95 ms indexed", "other module opened: didOpen to diagnostics ms", "status"], rows)
    base = {r.module_lines: r for r in results if r.server == "importsense" and not r.error}
    ratio_rows = []
    for r in results:
        ref = base.get(r.module_lines)
        if ref is None or r.server == "importsense" or r.error:
            continue

        def ratio(a: float | None, b: float | None) -> str:
            if not a or not b:
                return "-"
            value = a / b
            return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x" if value >= 0.1 else f"{value:.2g}x"

        ratio_rows.append([
            r.server, r.module_lines, ratio(r.first_diagnostics, ref.first_diagnostics),
            ratio(percentile(r.edit_latencies, 50), percentile(ref.edit_latencies, 50)),
            ratio(percentile(r.edit_latencies, 95), percentile(ref.edit_latencies, 95)),
            ratio(percentile(r.code_action, 50), percentile(ref.code_action, 50)),
            ratio(r.peak_rss_mb, ref.peak_rss_mb),
        ])
    if ratio_rows:
        table += "\n\nratios vs importsense (above 1x: importsense is faster / smaller)\n\n" + markdown_table(
            ["server", "module lines", "first diagnostics", "edit p50", "edit p95", "code action", "peak RSS"],
            ratio_rows)
    return table


async def run_all(servers: list[Server], root: Path, modules: list[generate.LargeModule], edits: int,
                  timeout: float, keep_cache: bool, cold_code_cache: bool = False) -> list[ScenarioResult]:
    results = []
    for server in servers:
        if server.code_cache_env and not cold_code_cache:
            warm_code_cache()
        for number, module in enumerate(modules):
            print(f"running {server.name} on the {module.lines}-line module ...", file=sys.stderr, flush=True)
            second = modules[(number + 1) % len(modules)] if len(modules) > 1 else None
            results.append(await run_scenario(server, root, module, edits, timeout, keep_cache, cold_code_cache,
                                              second))
    return results


async def run_starts(servers: list[Server], root: Path, modules: list[generate.LargeModule], starts: int,
                     timeout: float, compare_worker: bool) -> str:
    """Only the start: `starts` cold starts per server and module (no edits, no indexing wait), interleaved
    so that a slow minute of the machine hits every variant; medians with the range."""
    variants = []
    for server in servers:
        variants.append(replace(server, indexing_probe=None))
        if compare_worker and server.name == "importsense":
            variants.append(replace(server, name="importsense (worker off)", indexing_probe=None,
                                    env={**server.env, "IMPORTSENSE_WORKER": "off"}))
    if any(v.code_cache_env for v in variants):
        warm_code_cache()
    samples: dict[tuple[str, int], list[ScenarioResult]] = {}
    for _ in range(starts):
        for module in modules:
            for variant in variants:
                result = await run_scenario(variant, root, module, 0, timeout)
                samples.setdefault((variant.name, module.lines), []).append(result)
    rows = []
    for (name, lines), results in samples.items():
        ok = [r for r in results if not r.error]
        row: list[Any] = [name, lines, f"{len(ok)}/{len(results)}"]
        for values in ([r.first_diagnostics for r in ok], [r.open_to_diagnostics for r in ok]):
            values = sorted(v for v in values if v is not None)
            row.append(f"{ms(percentile(values, 50))} ({ms(values[0])}–{ms(values[-1])})" if values else "-")
        rows.append(row)
    return markdown_table(["server", "module lines", "starts ok", "first diagnostics from start ms, median (range)",
                           "didOpen to diagnostics ms, median (range)"], rows)


def warm_code_cache() -> None:
    """Fill importsense's start-up code cache the way its first start after an install does."""
    script = ("from importsense.lsp.codecache import install\n"
              "cache = install()\n"
              "import importsense.lsp.server\n"
              "cache.save()\n")
    subprocess.run([sys.executable, "-c", script], env=dict(os.environ, IMPORTSENSE_CODE_CACHE=str(CODE_CACHE)),
                   check=True, timeout=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=5000)
    parser.add_argument("--test-files", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a 10x smaller project and 20 edits")
    parser.add_argument("--servers", default="importsense,pyright,ty", help="comma-separated: importsense,pyright,ty")
    parser.add_argument("--edits", type=int, default=None, help="single-line edits per scenario (default 100)")
    parser.add_argument("--install-peers", action="store_true", help="npm install pyright into bench/.work/npm")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for any one answer")
    parser.add_argument("--keep-cache", action="store_true",
                        help="keep importsense's on-disk cache between runs (default: every start is cold)")
    parser.add_argument("--cold-code-cache", action="store_true",
                        help="delete importsense's start-up code cache before every start (its first start "
                             "after an install); by default it is filled once before the runs, like bytecode")
    parser.add_argument("--json", type=Path, help="also write all numbers here as JSON")
    parser.add_argument("--starts", type=int, default=0,
                        help="measure only the start: N cold starts per server and module, no edits")
    parser.add_argument("--compare-worker", action="store_true",
                        help="with --starts: also start importsense with IMPORTSENSE_WORKER=off")
    args = parser.parse_args(argv)

    params = ProjectParams(args.modules, args.test_files, args.lines, args.seed)
    edits = args.edits if args.edits is not None else (20 if args.quick else 100)
    if edits % 2:
        edits += 1  # end on the valid spelling so the code action sees a clean file
    if args.quick:
        params = params.scaled(0.1)
    servers, missing = available_servers([s.strip() for s in args.servers.split(",") if s.strip()],
                                         args.install_peers)
    print(f"# language server benchmark\n\nmachine: {machine_summary()}")
    project, modules = prepare_workspace(params)
    print(f"workspace: {project.root} ({project.files} files, {project.lines} lines); "
          f"opened modules: {', '.join(f'{m.relpath} ({m.lines} lines)' for m in modules)}; {edits} edits each\n")
    if args.starts:
        print(asyncio.run(run_starts(servers, project.root, modules, args.starts, args.timeout, args.compare_worker)))
        return 0
    print(f"importsense start-up code cache: {'emptied before every start' if args.cold_code_cache else 'filled once'}\n")
    results = asyncio.run(run_all(servers, project.root, modules, edits, args.timeout, args.keep_cache,
                                  args.cold_code_cache))
    print(render(results))
    for note in missing:
        print(f"\nskipped {note}")
    Results({"params": params.__dict__, "edits": edits,
             "results": [r.__dict__ for r in results], "skipped": missing}).write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
