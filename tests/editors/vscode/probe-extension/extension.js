/**
 * Test-only probe: answers the end-to-end driver's questions through the VS Code API, over HTTP on 127.0.0.1.
 *
 * It runs in the same extension host as the importsense extension. On activation it listens on a free
 * loopback port and writes that port to the file named by IMPORTSENSE_E2E_PORT_FILE (without that variable
 * it does nothing). The driver POSTs {"method": ..., "params": {...}} to /rpc and gets {"result": ...} or
 * {"error": "..."}. It only reads state and performs what a user could (open a file, save all); the
 * checks themselves live in the driver and the pytest module.
 */
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const vscode = require("vscode");

const SEVERITY = ["error", "warning", "information", "hint"];

function root() {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) {
    throw new Error("no workspace folder is open");
  }
  return folder.uri;
}

function uriOf(relative) {
  return vscode.Uri.joinPath(root(), ...relative.split("/"));
}

function relativeOf(uri) {
  return path.relative(root().fsPath, uri.fsPath).split(path.sep).join("/");
}

function codeText(code) {
  if (code === undefined || code === null) {
    return null;
  }
  return typeof code === "object" ? String(code.value) : String(code);
}

function diagnosticJson(d) {
  return {
    line: d.range.start.line + 1,
    character: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endCharacter: d.range.end.character + 1,
    severity: SEVERITY[d.severity],
    source: d.source ?? null,
    code: codeText(d.code),
    message: d.message,
  };
}

function documentOf(relative) {
  const uri = uriOf(relative).toString();
  return vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri);
}

const methods = {
  /** Which extensions are there and active; the VS Code version; whether the workspace is trusted. */
  async state() {
    const own = vscode.extensions.getExtension("importsense.importsense");
    return {
      vscodeVersion: vscode.version,
      trusted: vscode.workspace.isTrusted,
      folder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null,
      importsense: own === undefined ? null : { active: own.isActive, version: own.packageJSON.version },
      pythonExtension: vscode.extensions.getExtension("ms-python.python") !== undefined,
      settings: vscode.workspace.getConfiguration("importsense"),
    };
  },

  /** Open a file in the editor, the cursor at the start of `line` (1-based). */
  async open({ file, line = 1 }) {
    const doc = await vscode.workspace.openTextDocument(uriOf(file));
    const position = new vscode.Position(Math.max(line - 1, 0), 0);
    const editor = await vscode.window.showTextDocument(doc, {
      preview: false,
      selection: new vscode.Range(position, position),
    });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.AtTop);
    return { languageId: doc.languageId, lineCount: doc.lineCount };
  },

  /** The diagnostics VS Code holds for a file (from any source), 1-based positions. */
  async diagnostics({ file }) {
    return vscode.languages.getDiagnostics(uriOf(file)).map(diagnosticJson);
  },

  /** Diagnostics for every file that has some, keyed by workspace-relative path. */
  async allDiagnostics() {
    const out = {};
    for (const [uri, list] of vscode.languages.getDiagnostics()) {
      if (list.length > 0 && uri.scheme === "file") {
        out[relativeOf(uri)] = list.map(diagnosticJson);
      }
    }
    return out;
  },

  /** The code actions the providers offer on a line, as VS Code's own command asks for them. */
  async codeActions({ file, line }) {
    const doc = await vscode.workspace.openTextDocument(uriOf(file));
    const range = doc.lineAt(line - 1).range;
    const actions = (await vscode.commands.executeCommand("vscode.executeCodeActionProvider", doc.uri, range)) ?? [];
    return actions.map((a) => ({
      title: a.title,
      kind: a.kind?.value ?? null,
      isPreferred: a.isPreferred ?? false,
      hasEdit: a.edit !== undefined,
      command: a.command?.command ?? null,
    }));
  },

  /** The code lenses on a file, resolved, with their titles. */
  async codeLenses({ file }) {
    const lenses = (await vscode.commands.executeCommand("vscode.executeCodeLensProvider", uriOf(file), 100)) ?? [];
    return lenses.map((lens) => ({
      line: lens.range.start.line + 1,
      title: lens.command?.title ?? null,
      command: lens.command?.command ?? null,
    }));
  },

  /** A document as the editor holds it: dirty or not, and its text. */
  async document({ file }) {
    const doc = documentOf(file);
    return doc === undefined ? null : { isDirty: doc.isDirty, text: doc.getText(), version: doc.version };
  },

  /** Every open document that has unsaved changes. */
  async dirtyDocuments() {
    return vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === "file").map((d) => relativeOf(d.uri));
  },

  /** Run a command by id (e.g. importsense.recollect), returning its result when it is JSON. */
  async command({ id, args = [] }) {
    const result = await vscode.commands.executeCommand(id, ...args);
    try {
      return JSON.parse(JSON.stringify(result ?? null));
    } catch {
      return null;
    }
  },
};

function serve(portFile) {
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", async () => {
      let body;
      try {
        const { method, params } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const handler = Object.prototype.hasOwnProperty.call(methods, method) ? methods[method] : undefined;
        if (handler === undefined) {
          throw new Error(`unknown method ${method}`);
        }
        body = { result: await handler(params ?? {}) };
      } catch (error) {
        body = { error: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) };
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
  });
  server.listen(0, "127.0.0.1", () => {
    const port = server.address().port;
    fs.writeFileSync(`${portFile}.tmp`, String(port));
    fs.renameSync(`${portFile}.tmp`, portFile);
  });
  return server;
}

function activate(context) {
  const portFile = process.env.IMPORTSENSE_E2E_PORT_FILE;
  if (!portFile) {
    return;
  }
  const server = serve(portFile);
  context.subscriptions.push({ dispose: () => server.close() });
}

module.exports = { activate, deactivate() {} };
