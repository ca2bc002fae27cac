/**
 * Drives a running code-server in headless Chromium like a user would, and writes what it saw as JSON.
 *
 * Usage: node driver.mjs CONFIG.json   (run with the host's Node 24; see test_vscode_e2e.py)
 * CONFIG: {url, folder, nodeModules, chromium, profileDir, portFile, artifacts, report, timeoutMs,
 *          files: {relative, alias, collection}, aliasTarget, statusBefore, statusAfter}
 *
 * The workbench runs in the page; the importsense extension and the language server run in code-server's
 * extension host. The driver types and clicks in the page (Ctrl+. quick-fix menu, editor tabs, Ctrl+S)
 * and reads the page (squiggles, code lenses, status bar); what only the VS Code
 * API can tell (the diagnostics' codes, code lens titles, whether a document is dirty) it asks the test-only
 * probe extension over loopback HTTP. It checks nothing itself: every step records what it saw, or the error
 * that stopped it, and the pytest module asserts on the report and on the files on disk.
 */

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const require = createRequire(path.join(config.nodeModules, "noop.js"));
const { chromium } = require("playwright-core");

const started = Date.now();
const report = { steps: {}, console: [], timeline: [] };
const DEFAULT_WAIT_MS = 30_000;

function log(message) {
  const line = `[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`;
  report.timeline.push(line);
  process.stderr.write(`${line}\n`);
}

function writeReport() {
  report.elapsedMs = Date.now() - started;
  fs.writeFileSync(`${config.report}.tmp`, JSON.stringify(report, null, 2));
  fs.renameSync(`${config.report}.tmp`, config.report);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown by a probe to stop waiting at once: what it saw means the awaited state will not come. */
class StopWaiting extends Error {}

/** Poll `probe` until `done(value)` holds; return the last value (and whether it held). */
async function waitFor(what, probe, done, timeoutMs = DEFAULT_WAIT_MS, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let value;
  let lastError;
  for (;;) {
    try {
      value = await probe();
      lastError = undefined;
      if (done(value)) {
        return value;
      }
    } catch (error) {
      if (error instanceof StopWaiting) {
        throw error;
      }
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError !== undefined ? `last error: ${lastError.message}` : `last seen: ${JSON.stringify(value)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`.slice(0, 4000));
    }
    await sleep(everyMs);
  }
}

// ---- the probe extension ----------------------------------------------------------------------------

let probePort;

async function rpc(method, params = {}) {
  const response = await fetch(`http://127.0.0.1:${probePort}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ method, params }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = await response.json();
  if (body.error !== undefined) {
    throw new Error(`probe ${method}: ${body.error}`);
  }
  return body.result;
}

// ---- steps ------------------------------------------------------------------------------------------

/** Run one named step; record its data, or its error and a screenshot of the page at that moment. */
async function step(name, page, body) {
  if (config.only && !config.only.includes(name) && name !== "workbench" && name !== "server") {
    return false;
  }
  log(`step ${name}`);
  const record = {};
  report.steps[name] = record;
  const t0 = Date.now();
  try {
    await body(record);
    record.ok = true;
  } catch (error) {
    record.ok = false;
    record.error = error instanceof Error ? error.message : String(error);
    log(`step ${name} failed: ${record.error.split("\n")[0]}`);
    if (page !== undefined) {
      const shot = path.join(config.artifacts, `failed-${name}.png`);
      await page.screenshot({ path: shot }).then(() => (record.screenshot = shot), () => undefined);
    }
  }
  record.ms = Date.now() - t0;
  writeReport();
  return record.ok;
}

/** A diagnostic with this code (any error when `code` is null) on this line (any line when undefined). */
const hasCode = (diagnostics, code, line) =>
  diagnostics.some((d) => (code === null ? d.severity === "error" : d.code === code) && (line === undefined || d.line === line));

async function focusEditor(page) {
  await rpc("command", { id: "workbench.action.focusActiveEditorGroup" });
  await page.locator(".editor-group-container.active .monaco-editor").first().waitFor({ state: "visible" });
}

/** The rows of the open quick-fix (action widget) menu: their labels, in order. */
async function menuRows(page) {
  const rows = page.locator(".action-widget .monaco-list-row.action");
  return rows.evaluateAll((nodes) => nodes.map((n) => (n.getAttribute("aria-label") || n.textContent || "").trim()));
}

/** Put the cursor on `line`, press Ctrl+., record the menu, pick the row starting with `title`. */
async function quickFixThroughMenu(page, record, file, line, title, screenshotName) {
  await rpc("open", { file, line });
  await focusEditor(page);
  await page.keyboard.press("Escape");
  record.menu = await waitFor(
    `the Ctrl+. menu on ${file}:${line} to offer "${title}"`,
    async () => {
      // A menu opened before the server's actions arrived is closed and opened again.
      if ((await page.locator(".action-widget .monaco-list-row.action").count()) > 0) {
        await page.keyboard.press("Escape");
      }
      await page.keyboard.press("Control+Period");
      await page.locator(".action-widget .monaco-list-row.action").first().waitFor({ state: "visible", timeout: 5000 });
      return menuRows(page);
    },
    (rows) => rows.some((row) => row.startsWith(title)),
    20_000,
    500,
  );
  if (screenshotName !== undefined) {
    const shot = path.join(config.artifacts, screenshotName);
    await page.screenshot({ path: shot });
    record.screenshot = shot;
  }
  const row = page.locator(".action-widget .monaco-list-row.action").filter({ hasText: title }).first();
  await row.hover();
  await row.click();
  await page.locator(".action-widget").first().waitFor({ state: "hidden", timeout: 10_000 }).catch(() => undefined);
}

/** Wait until the importsense status-bar item reads `expected`; record every text it showed on the way. */
async function statusBarBecomes(page, record, expected, timeoutMs) {
  record.expected = expected;
  record.seen = [];
  record.text = await waitFor(`the status bar to read "${expected}"`,
    async () => {
      const text = await statusBarText(page);
      if (text !== null && record.seen.at(-1) !== text) {
        record.seen.push(text);
      }
      return text;
    },
    (text) => text === expected, timeoutMs, 250);
}

async function statusBarText(page) {
  const items = page.locator(".part.statusbar .statusbar-item").filter({ hasText: "importsense" });
  if ((await items.count()) === 0) {
    return null;
  }
  return (await items.first().innerText()).trim();
}

async function main() {
  fs.mkdirSync(config.artifacts, { recursive: true });
  const watchdog = setTimeout(() => {
    report.fatal = `the driver's overall timeout (${config.timeoutMs} ms) ran out`;
    log(report.fatal);
    writeReport();
    process.exit(3);
  }, config.timeoutMs);

  let context;
  let page;
  try {
    log(`chromium ${config.chromium}`);
    context = await chromium.launchPersistentContext(config.profileDir, {
      executablePath: config.chromium,
      headless: true,
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    });
    report.browserVersion = context.browser()?.version() ?? null;
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (message) => {
      if (message.type() === "error" && report.console.length < 200) {
        report.console.push(message.text().slice(0, 500));
      }
    });
    page.on("pageerror", (error) => report.console.length < 200 && report.console.push(`pageerror: ${error.message}`));

    const { relative, alias, collection } = config.files;

    const ready = await step("workbench", page, async (record) => {
      const url = `${config.url}?folder=${encodeURIComponent(config.folder)}`;
      await page.goto(url, { waitUntil: "domcontentloaded", timeout: 30_000 });
      await page.locator(".monaco-workbench .part.statusbar").waitFor({ state: "visible", timeout: 45_000 });
      const portText = await waitFor("the probe extension's port file (the extension host started)",
        async () => (fs.existsSync(config.portFile) ? fs.readFileSync(config.portFile, "utf8") : ""),
        (text) => text.trim() !== "", 45_000);
      probePort = Number(portText.trim());
      record.state = await waitFor("the importsense extension to be active",
        () => rpc("state"), (state) => state.importsense?.active === true, 45_000);
      log(`VS Code ${record.state.vscodeVersion}, importsense ${record.state.importsense.version} active`);
    });
    if (!ready) {
      return;
    }

    const serving = await step("server", page, async (record) => {
      record.seen = [];
      record.text = await waitFor("the status bar to show the importsense server running",
        async () => {
          const text = await statusBarText(page);
          if (text !== null && record.seen.at(-1) !== text) {
            record.seen.push(text);
          }
          if (text === "importsense: not running") {
            throw new StopWaiting(`the importsense server is not running (status bar: "${text}"); see its output log`);
          }
          return text;
        },
        (text) => text !== null && !/starting/.test(text), 30_000);
    });
    if (!serving) {
      return;
    }

    await step("diagnostics", page, async (record) => {
      const wanted = [
        [relative.file, relative.code, relative.line],
        [alias.file, alias.code, alias.line],
        [collection.file, collection.code, collection.line],
      ];
      record.files = {};
      for (const [file, code, line] of wanted) {
        await rpc("open", { file, line });
        record.files[file] = await waitFor(`a ${code ?? "error"} diagnostic on ${file}:${line}`,
          () => rpc("diagnostics", { file }), (list) => hasCode(list, code, line));
      }
      // The squiggles a user sees: markers decorate the editor of the last file opened.
      await focusEditor(page);
      record.squiggles = await waitFor(`squiggles in the editor of ${collection.file}`,
        () => page.locator(".editor-group-container.active .monaco-editor .view-overlays .squiggly-error").count(),
        (count) => count > 0, 10_000);
    });

    await step("statusBar", page, (record) => statusBarBecomes(page, record, config.statusBefore, 60_000));

    await step("codeLens", page, async (record) => {
      await rpc("open", { file: collection.file, line: 1 });
      record.api = await waitFor(`code lenses on ${collection.file}`,
        () => rpc("codeLenses", { file: collection.file }), (lenses) => lenses.some((l) => l.title), 30_000, 500);
      await focusEditor(page);
      // The editor redraws lenses on its own schedule: wait until it draws what the provider now says.
      const titles = record.api.map((lens) => lens.title).filter((title) => title);
      record.shown = await waitFor(`the editor of ${collection.file} to draw the lenses ${JSON.stringify(titles)}`,
        () => page.locator(".editor-group-container.active .monaco-editor .codelens-decoration")
          .evaluateAll((nodes) => nodes.map((n) => (n.textContent || "").trim()).filter((t) => t !== "")),
        (texts) => titles.every((title) => texts.some((text) => text.includes(title))), 15_000);
    });

    await step("screenshot", page, async (record) => {
      await rpc("open", { file: collection.file, line: 1 });
      await rpc("command", { id: "workbench.actions.view.problems" });
      await page.locator(".markers-panel .monaco-list-row").first().waitFor({ state: "visible", timeout: 10_000 });
      await focusEditor(page);
      await sleep(500); // let the squiggles and lenses settle after the panel opened
      const shot = path.join(config.artifacts, "vscode-diagnostics.png");
      await page.screenshot({ path: shot });
      record.path = shot;
      await rpc("command", { id: "workbench.action.closePanel" });
    });

    await step("convertToAbsolute", page, async (record) => {
      await quickFixThroughMenu(page, record, relative.file, relative.line, relative.action);
      record.applied = await waitFor(`${relative.file} to change in the editor`,
        () => rpc("document", { file: relative.file }), (doc) => doc !== null && doc.isDirty, 10_000);
      await focusEditor(page);
      await page.keyboard.press("Control+S");
      record.saved = await waitFor(`${relative.file} to be saved`,
        () => rpc("document", { file: relative.file }), (doc) => doc !== null && !doc.isDirty, 10_000);
      record.after = await waitFor(`the ${relative.code} diagnostic on ${relative.file}:${relative.line} to go`,
        () => rpc("diagnostics", { file: relative.file }), (list) => !hasCode(list, relative.code, relative.line), 15_000);
    });

    await step("addAlias", page, async (record) => {
      await quickFixThroughMenu(page, record, alias.file, alias.line, alias.action, "vscode-quick-fix-menu.png");
      record.dirtyAfterApply = await waitFor(`${config.aliasTarget} to be edited (unsaved)`,
        () => rpc("dirtyDocuments"), (dirty) => dirty.includes(config.aliasTarget), 10_000);
      // Save the edited file the way a user does: its tab, then Ctrl+S. (Not "File: Save All Files": in this
      // host it reports success and leaves a file edited in a background tab unsaved; see docs/editors/vscode-e2e.md.)
      const tab = page.locator(`.editor-group-container.active .tabs-container .tab[aria-label^="${path.basename(config.aliasTarget)}"]`);
      await tab.waitFor({ state: "visible", timeout: 10_000 });
      record.tabDirty = await tab.evaluate((node) => node.classList.contains("dirty"));
      await tab.click();
      await page.keyboard.press("Control+S");
      record.dirtyAfterSave = await waitFor("no unsaved documents after Ctrl+S in the edited file's tab",
        () => rpc("dirtyDocuments"), (dirty) => dirty.length === 0, 10_000);
      record.after = await waitFor(`the ${alias.code} diagnostic on ${alias.file}:${alias.line} to go`,
        () => rpc("diagnostics", { file: alias.file }), (list) => !hasCode(list, alias.code, alias.line), 20_000);
    });

    await step("statusBarAfterFix", page, (record) => statusBarBecomes(page, record, config.statusAfter, 30_000));

    report.diagnosticsAtEnd = await rpc("allDiagnostics").catch((error) => `error: ${error.message}`);
  } catch (error) {
    report.fatal = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
    log(`fatal: ${report.fatal.split("\n")[0]}`);
  } finally {
    clearTimeout(watchdog);
    writeReport();
    await context?.close().catch(() => undefined);
  }
}

await main();
process.exit(0);
