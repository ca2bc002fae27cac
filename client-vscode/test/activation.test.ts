/**
 * Activates the real bundle (out/extension.js) against an in-memory `vscode` and a real
 * `python -m importsense serve` subprocess (a pygls stand-in that speaks the contract).
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import Module from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import * as fake from "./smoke/fakeVscode";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const BUNDLE = path.join(ROOT, "out", "extension.js");
const FAKE_SERVER = path.join(ROOT, "test", "fixtures", "fake-server");
const PYTHON = process.env.IMPORTSENSE_TEST_PYTHON ?? "python3";

function hasPygls(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import pygls.lsp.server, lsprotocol"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const skip = !fs.existsSync(BUNDLE)
  ? "out/extension.js is not built (npm run bundle)"
  : !hasPygls()
    ? `${PYTHON} has no pygls to run the stand-in server`
    : false;

interface Extension {
  activate(context: unknown): Promise<void>;
  deactivate(): Promise<void>;
}

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Loader };
const originalLoad = loader._load;
let extension: Extension;
let scratch = "";
let workspace = "";
let extensionDir = "";
let serverLog = "";
let context: { subscriptions: { dispose(): unknown }[]; extensionPath: string };

async function until(what: string, predicate: () => boolean, ms = 8_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${what}\nstatus bar: ${fake.state.statusBar.text}\nlog:\n${fake.state.log.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function events(name: string): unknown[] {
  if (!fs.existsSync(serverLog)) {
    return [];
  }
  return fs
    .readFileSync(serverLog, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { event: string; payload: unknown })
    .filter((entry) => entry.event === name)
    .map((entry) => entry.payload);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function activate(): Promise<void> {
  context = { subscriptions: [], extensionPath: extensionDir };
  await extension.activate(context);
}

/** Deactivate as VS Code does, then require every server process this test started to have exited. */
async function deactivate(): Promise<void> {
  await extension.deactivate();
  for (const item of context.subscriptions) {
    item.dispose();
  }
  for (const pid of events("pid") as number[]) {
    await until(`server process ${pid} to exit`, () => !alive(pid));
  }
}

describe("activation against a real server process", { skip }, () => {
  before(() => {
    loader._load = function (this: unknown, request, parent, isMain) {
      return request === "vscode" ? fake : originalLoad.call(this, request, parent, isMain);
    };
    // The bundle is plain CommonJS loaded at run time, after the `vscode` hook is in place.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    extension = require(BUNDLE) as Extension;
  });

  after(() => {
    loader._load = originalLoad;
  });

  beforeEach(() => {
    fake.reset();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "importsense-activation-"));
    workspace = path.join(scratch, "ws");
    extensionDir = path.join(scratch, "extension");
    fs.mkdirSync(workspace);
    fs.mkdirSync(extensionDir);
    serverLog = path.join(scratch, "server.jsonl");
    process.env.IMPORTSENSE_FAKE_LOG = serverLog;
    process.env.PYTHONPATH = FAKE_SERVER;
    fake.state.folders = [{ uri: fake.Uri.file(workspace), name: "ws", index: 0 }];
  });

  afterEach(() => {
    if (process.env.IMPORTSENSE_SHOW_LOG) {
      process.stderr.write(`${fake.state.log.join("\n")}\n`);
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("starts the server with the user's settings, shows collection status, runs commands, follows setting changes", async () => {
    fake.state.config = {
      interpreter: { globalValue: PYTHON },
      debounce: { globalValue: 150 },
      collection: { workspaceValue: "onOpen" },
    };
    await activate();

    // The first collectionStatus answer says indexing; the extension polls until it does not.
    await until("the collection summary", () => fake.state.statusBar.text === "importsense: 2 test files, 1 fails to collect");
    assert.equal(fake.state.statusBar.visible, true);
    assert.equal(fake.state.contexts["importsense.serverRunning"], true);
    assert.deepEqual(events("argv"), [["serve"]]);
    assert.deepEqual(events("cwd"), [workspace]);
    assert.deepEqual(events("initializationOptions"), [{ trusted: true, python: PYTHON, debounce: 150, collection: "onOpen" }]);
    assert.ok((events("collectionStatus") as number[]).length >= 2);

    // The tree: failures first; a failing file opens at its error line (0-based in VS Code).
    const provider = fake.state.treeProvider;
    assert.ok(provider);
    const groups = provider.getChildren();
    assert.deepEqual(groups.map((group) => provider.getTreeItem(group).label), ["Fail to collect", "Collected"]);
    const failing = provider.getTreeItem(provider.getChildren(groups[0])[0]);
    assert.equal(failing.label, "tests/test_bad.py");
    assert.equal(failing.description, "ModuleNotFoundError: No module named 'gone'");
    assert.equal(failing.command?.command, "vscode.open");
    const [uri, options] = failing.command?.arguments ?? [];
    assert.equal(String(uri), "file:///ws/tests/test_bad.py");
    assert.equal((options as { selection: fake.Range }).selection.start.line, 1);
    assert.deepEqual(fake.state.treeView.badge?.value, 1);

    // Convert: forwarded to the server, its message shown.
    await fake.commands.executeCommand("importsense.convertWorkspaceToAbsolute");
    assert.deepEqual(events("convertWorkspaceToAbsolute"), [[]]);
    assert.ok(fake.state.messages.some((message) => message.text === "importsense: converted 2 imports in 1 file"));

    // A server command the extension does not wrap is still forwarded.
    assert.equal(await fake.commands.executeCommand("importsense.extra", "a", 1), "extra done");
    assert.deepEqual(events("extra"), [["a", 1]]);

    // A setting change is re-sent as the same flat object.
    fake.changeSettings({ debounce: { globalValue: 200 }, select: { workspaceValue: ["missing-name"] } });
    await until("didChangeConfiguration", () => events("didChangeConfiguration").length >= 1);
    assert.deepEqual(events("didChangeConfiguration").at(-1), {
      trusted: true,
      python: PYTHON,
      debounce: 200,
      collection: "onOpen",
      select: ["missing-name"],
    });

    // Re-collect: the server's collectionChanged notification updates status bar, tree and badge.
    await fake.commands.executeCommand("importsense.recollect");
    assert.deepEqual(events("recollect"), [[]]);
    await until("the summary after re-collecting", () => fake.state.statusBar.text === "importsense: 1 test file, 0 fail to collect");
    assert.equal(fake.state.treeView.badge, undefined);

    const [pid] = events("pid") as number[];
    assert.ok(pid !== undefined && alive(pid));
    await deactivate();
    await until("the server process to exit", () => !alive(pid));
    assert.equal(fake.state.contexts["importsense.serverRunning"], false);
    assert.deepEqual(
      fake.state.messages.filter((message) => message.level === "error"),
      [],
    );
  });

  it("restarts on request with a new server process", async () => {
    fake.state.config = { interpreter: { globalValue: PYTHON } };
    await activate();
    await until("the first server", () => events("pid").length === 1 && fake.state.statusBar.text.includes("test files"));
    await fake.commands.executeCommand("importsense.restartServer");
    await until("the second server", () => events("pid").length === 2);
    const [first, second] = events("pid") as number[];
    assert.notEqual(first, second);
    await until("the first server to exit", () => !alive(first ?? 0));
    await until("the restarted server's summary", () => fake.state.statusBar.text === "importsense: 2 test files, 1 fails to collect");
    await deactivate();
    await until("the second server to exit", () => !alive(second ?? 0));
  });

  it("in an untrusted workspace: collection off, workspace interpreter ignored, neutral cwd; trust restarts with the workspace's choice", async () => {
    const absolutePython = execFileSync(PYTHON, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
    fake.state.trusted = false;
    fake.state.config = {
      interpreter: { workspaceValue: absolutePython },
      collection: { workspaceValue: "onOpen" },
    };
    await activate();
    await until("the untrusted server", () => events("initializationOptions").length === 1);
    assert.deepEqual(events("initializationOptions"), [{ trusted: false, collection: "off" }]);
    assert.deepEqual(events("cwd"), [extensionDir]);
    await until("the status bar", () => fake.state.statusBar.text.startsWith("importsense: 2 test files"));
    assert.match(fake.state.statusBar.tooltip, /Untrusted workspace: pytest collection is off/);

    fake.state.trusted = true;
    fake.state.onDidGrantWorkspaceTrust.fire();
    await until("the trusted server", () => events("initializationOptions").length === 2);
    assert.deepEqual(events("initializationOptions")[1], { trusted: true, python: absolutePython, collection: "onOpen" });
    assert.deepEqual(events("cwd")[1], workspace);
    await until("the tooltip to drop the untrusted note", () => !fake.state.statusBar.tooltip.includes("Untrusted"));
    await deactivate();
  });

  it("says clearly when importsense is not installed in the interpreter, and offers to select another", async () => {
    // An interpreter without site-packages and without the stand-in on its path cannot import importsense.
    const bare = path.join(scratch, "bare-python");
    fs.writeFileSync(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`, { mode: 0o755 });
    process.env.PYTHONPATH = path.join(scratch, "empty");
    fake.state.config = { interpreter: { globalValue: bare } };
    fake.state.answers = [{ startsWith: "importsense is not installed", answer: "Select Interpreter" }];
    await activate();

    const errors = fake.state.messages.filter((message) => message.level === "error");
    assert.equal(errors.length, 1, JSON.stringify(fake.state.messages));
    assert.match(errors[0]?.text ?? "", /^importsense is not installed in \S+ \(Python 3\.\d+\.\d+\)\./);
    assert.deepEqual(errors[0]?.actions, ["Select Interpreter", "Show Output"]);
    assert.equal(fake.state.statusBar.text, "importsense: not running");
    assert.equal(fake.state.statusBar.command, "importsense.showOutput");
    assert.equal(events("pid").length, 0, "no server may start");
    // The setting is the interpreter in force, so "Select Interpreter" opens it.
    await until("the settings editor", () =>
      fake.state.executed.some((entry) => entry.command === "workbench.action.openSettings" && entry.args[0] === "importsense.interpreter"),
    );

    // Fixing the setting restarts the server without a reload.
    process.env.PYTHONPATH = FAKE_SERVER;
    fake.changeSettings({ interpreter: { globalValue: PYTHON } });
    await until("the server after fixing the interpreter", () => events("pid").length === 1);
    await until("the summary", () => fake.state.statusBar.text === "importsense: 2 test files, 1 fails to collect");
    await deactivate();
  });
});
