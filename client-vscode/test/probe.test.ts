/** The interpreter probe, run against real interpreters and real failing executables. */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { describeProblem, interpretProbe, probeInterpreter } from "../src/probe";

const PYTHON = process.env.IMPORTSENSE_TEST_PYTHON ?? "python3";
let scratch = "";

function script(name: string, body: string): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "importsense-probe-"));
});

after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("probeInterpreter (real subprocesses)", () => {
  it("finds an importable module and reports the executable and version", async () => {
    const result = await probeInterpreter(PYTHON, { module: "json" });
    assert.equal(result.kind, "ok", JSON.stringify(result));
    if (result.kind === "ok") {
      assert.ok(path.isAbsolute(result.executable), result.executable);
      assert.match(result.version, /^3\.\d+\.\d+$/);
    }
  });

  it("reports a module that is not installed as missing, without a traceback", async () => {
    const result = await probeInterpreter(PYTHON, { module: "importsense_surely_not_installed_x" });
    assert.equal(result.kind, "missing", JSON.stringify(result));
    const message = describeProblem(PYTHON, result) ?? "";
    assert.match(message, /^importsense is not installed in \/.+ \(Python 3\.\d+\.\d+\)\. Install it there with ".+ -m pip install importsense"/);
  });

  it("reports a missing parent package as missing too", async () => {
    const result = await probeInterpreter(PYTHON, { module: "no_such_parent_pkg.child" });
    assert.equal(result.kind, "missing", JSON.stringify(result));
  });

  it("does not import the module it looks for", async () => {
    const marker = path.join(scratch, "imported-marker");
    fs.mkdirSync(path.join(scratch, "pkg_with_side_effect"));
    fs.writeFileSync(
      path.join(scratch, "pkg_with_side_effect", "__init__.py"),
      `open(${JSON.stringify(marker)}, "w").close()\n`,
    );
    const result = await probeInterpreter(PYTHON, { module: "pkg_with_side_effect", cwd: scratch });
    assert.equal(result.kind, "ok", JSON.stringify(result));
    assert.equal(fs.existsSync(marker), false, "the probe executed the package");
  });

  it("says unsupported when the interpreter is older than the minimum", async () => {
    const result = await probeInterpreter(PYTHON, { module: "json", minimum: [99, 0] });
    assert.equal(result.kind, "unsupported", JSON.stringify(result));
    assert.match(describeProblem(PYTHON, result) ?? "", /needs Python 3\.10 or newer/);
  });

  it("says not-found for an interpreter path that does not exist", async () => {
    const missing = path.join(scratch, "no", "python");
    const result = await probeInterpreter(missing);
    assert.deepEqual(result, { kind: "not-found", detail: "ENOENT" });
    assert.match(describeProblem(missing, result) ?? "", /was not found \(ENOENT\)/);
  });

  it("says not-found for a file that is not executable", async () => {
    const file = path.join(scratch, "not-executable");
    fs.writeFileSync(file, "", { mode: 0o644 });
    const result = await probeInterpreter(file);
    assert.equal(result.kind, "not-found", JSON.stringify(result));
  });

  it("says failed, with the last stderr line, for a program that is not Python", async () => {
    const fake = script("fake-python", 'echo "Traceback (most recent call last):" >&2; echo "SyntaxError: nope" >&2; exit 1');
    const result = await probeInterpreter(fake);
    assert.equal(result.kind, "failed");
    assert.match(describeProblem(fake, result) ?? "", /could not be run: SyntaxError: nope\./);
  });

  it("says failed for a program that exits 0 without the probe's output", async () => {
    const result = await probeInterpreter(script("silent", "exit 0"));
    assert.equal(result.kind, "failed", JSON.stringify(result));
  });

  it("says failed when the interpreter hangs past the time limit", async () => {
    const started = Date.now();
    const result = await probeInterpreter(script("hangs", "exec sleep 30"), { timeoutMs: 300 });
    assert.equal(result.kind, "failed", JSON.stringify(result));
    assert.match(result.kind === "failed" ? result.detail : "", /time limit/);
    assert.ok(Date.now() - started < 10_000);
  });
});

describe("interpretProbe", () => {
  const good = { exitCode: 0, stdout: "importsense-probe\n/usr/bin/python3\n3.11.7\nfound\n", stderr: "", timedOut: false };

  it("reads found, missing and old versions", () => {
    assert.deepEqual(interpretProbe(good), { kind: "ok", executable: "/usr/bin/python3", version: "3.11.7" });
    assert.equal(interpretProbe({ ...good, stdout: good.stdout.replace("found", "missing") }).kind, "missing");
    assert.equal(interpretProbe({ ...good, stdout: good.stdout.replace("3.11.7", "3.9.18") }).kind, "unsupported");
    assert.equal(interpretProbe({ ...good, stdout: good.stdout.replace("3.11.7", "3.10.0") }).kind, "ok");
    assert.equal(interpretProbe({ ...good, stdout: good.stdout.replace("3.11.7", "4.0.0") }).kind, "ok");
    assert.equal(interpretProbe({ ...good, stdout: good.stdout.replace("3.11.7", "garbage") }).kind, "unsupported");
  });

  it("tolerates noise printed before the marker (sitecustomize, CRLF)", () => {
    const noisy = { ...good, stdout: "hello from sitecustomize\r\nimportsense-probe\r\nC:\\py\\python.exe\r\n3.12.1\r\nfound\r\n" };
    assert.deepEqual(interpretProbe(noisy), { kind: "ok", executable: "C:\\py\\python.exe", version: "3.12.1" });
  });

  it("fails on a non-zero exit even when the output looks right", () => {
    assert.equal(interpretProbe({ ...good, exitCode: 2 }).kind, "failed");
    assert.equal(interpretProbe({ ...good, stdout: "importsense-probe\n/usr/bin/python3\n" }).kind, "failed");
  });
});
