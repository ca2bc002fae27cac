/** VS Code glue: picks the interpreter, runs `<python> -m importsense serve`, wires settings, commands, tree and status bar. */

import * as os from "node:os";
import * as vscode from "vscode";
import { PythonExtension } from "@vscode/python-extension";
import {
  DidChangeConfigurationNotification,
  type DynamicFeature,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
  type StaticFeature,
} from "vscode-languageclient/node";
import {
  COLLECTION_CHANGED_NOTIFICATION,
  COLLECTION_STATUS_REQUEST,
  type CollectionStatus,
  parseCollectionStatus,
  plural,
  type ServerState,
  statusFromNotification,
} from "./collectionModel";
import { CollectionStatusBar, CollectionTreeProvider, VIEW_ID } from "./collectionView";
import {
  chooseInterpreter,
  type ExpansionContext,
  expandVariables,
  type InterpreterChoice,
  type PythonExtensionReport,
  selectInterpreterAction,
} from "./interpreter";
import { describeProblem, probeInterpreter } from "./probe";
import { type BuiltSettings, buildServerSettings, explicitValue } from "./settings";

const PYTHON_EXTENSION_ID = "ms-python.python";
const SERVER_ARGS = ["-m", "importsense", "serve"];
const CONVERT_COMMAND = "importsense.convertWorkspaceToAbsolute";
const RECOLLECT_COMMAND = "importsense.recollect";
/** Commands this extension registers itself; server commands with these ids are forwarded by our handlers. */
const OWN_COMMANDS = new Set([
  CONVERT_COMMAND,
  RECOLLECT_COMMAND,
  "importsense.restartServer",
  "importsense.showOutput",
  "importsense.selectInterpreter",
]);
const RUNNING_CONTEXT = "importsense.serverRunning";
const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5000;
const METHOD_NOT_FOUND = -32601;

/** A LanguageClient without the built-in executeCommand feature, whose command registrations would clash with ours. */
class ImportsenseClient extends LanguageClient {
  public override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    if ("registrationType" in feature && feature.registrationType.method === ExecuteCommandRequest.method) {
      return;
    }
    super.registerFeature(feature);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Thenable<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** A server command's result as a message for the user, when it carries one. */
function resultMessage(result: unknown): string | undefined {
  if (typeof result === "string" && result.trim() !== "") {
    return result;
  }
  if (typeof result === "object" && result !== null && "message" in result) {
    const message = result.message;
    return typeof message === "string" && message.trim() !== "" ? message : undefined;
  }
  return undefined;
}

/** One server session at a time: start, stop, restart, and what it shows. */
class Session implements vscode.Disposable {
  private client: ImportsenseClient | undefined;
  private choice: InterpreterChoice | undefined;
  private state: ServerState = { kind: "starting" };
  private status: CollectionStatus | undefined;
  private readonly perClient: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private queue: Promise<void> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | undefined;
  private pollDelay = FIRST_POLL_MS;
  private refreshing = false;
  private refreshAgain = false;
  private statusUnsupported = false;
  private pythonApi: PythonExtension | undefined;
  private readonly tree = new CollectionTreeProvider();
  private readonly treeView: vscode.TreeView<unknown>;
  private readonly statusBar = new CollectionStatusBar();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    this.disposables.push(this.tree, this.treeView, this.statusBar);
    this.showState({ kind: "starting" });
  }

  /** Run lifecycle steps one after another, so a restart never overlaps a start. */
  enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.output.error(`importsense: ${errorMessage(error)}`);
      this.showState({ kind: "stopped", reason: errorMessage(error) });
    });
    return this.queue;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(reason: string): Promise<void> {
    this.output.info(`Restarting the server: ${reason}.`);
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  get running(): ImportsenseClient | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  private folder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  private expansion(folder: vscode.WorkspaceFolder | undefined): ExpansionContext {
    return { workspaceFolder: folder?.uri.fsPath, userHome: os.homedir(), env: process.env };
  }

  /** Trusted: the workspace folder. Untrusted: the extension's own folder, so `python -m` cannot pick up workspace modules. */
  private serverCwd(folder: vscode.WorkspaceFolder | undefined): string {
    if (vscode.workspace.isTrusted && folder !== undefined && folder.uri.scheme === "file") {
      return folder.uri.fsPath;
    }
    return this.context.extensionPath;
  }

  private async getPythonApi(): Promise<PythonExtension | undefined> {
    if (this.pythonApi !== undefined) {
      return this.pythonApi;
    }
    if (vscode.extensions.getExtension(PYTHON_EXTENSION_ID) === undefined) {
      return undefined;
    }
    try {
      const api = await withTimeout(PythonExtension.api(), 15_000);
      if (api === undefined) {
        this.output.warn("The Python extension did not activate within 15 s; not using its interpreter.");
        return undefined;
      }
      this.pythonApi = api;
      this.disposables.push(
        api.environments.onDidChangeActiveEnvironmentPath(() => {
          void this.onInterpreterMayHaveChanged("the Python extension's interpreter changed");
        }),
      );
      return api;
    } catch (error) {
      this.output.warn(`Could not use the Python extension's API: ${errorMessage(error)}`);
      return undefined;
    }
  }

  private async pythonExtensionReport(folder: vscode.WorkspaceFolder | undefined): Promise<PythonExtensionReport | undefined> {
    const api = await this.getPythonApi();
    if (api === undefined) {
      return undefined;
    }
    try {
      const environmentPath = api.environments.getActiveEnvironmentPath(folder?.uri);
      const resolved = await withTimeout(api.environments.resolveEnvironment(environmentPath), 15_000);
      return { environmentPath: environmentPath.path, executable: resolved?.executable.uri?.fsPath };
    } catch (error) {
      this.output.warn(`The Python extension could not tell its interpreter: ${errorMessage(error)}`);
      return undefined;
    }
  }

  private async chooseInterpreter(folder: vscode.WorkspaceFolder | undefined): Promise<InterpreterChoice> {
    const config = vscode.workspace.getConfiguration("importsense", folder?.uri);
    const setting = explicitValue(config.inspect("interpreter"), { workspaceScopes: vscode.workspace.isTrusted });
    const settingText = typeof setting === "string" && setting.trim() !== "" ? setting : undefined;
    const report = settingText === undefined ? await this.pythonExtensionReport(folder) : undefined;
    return chooseInterpreter({
      setting: settingText,
      pythonExtension: report,
      platform: process.platform,
      expansion: this.expansion(folder),
    });
  }

  serverSettings(): BuiltSettings {
    const folder = this.folder();
    const config = vscode.workspace.getConfiguration("importsense", folder?.uri);
    return buildServerSettings({
      inspect: (key) => config.inspect(key),
      trusted: vscode.workspace.isTrusted,
      python: this.choice !== undefined && this.choice.source !== "default" ? this.choice.command : undefined,
      expand: (text) => expandVariables(text, this.expansion(folder)),
    });
  }

  private logSettings(built: BuiltSettings): void {
    for (const problem of built.problems) {
      this.output.warn(problem);
    }
    this.output.info(`Server settings: ${JSON.stringify(built.settings)}`);
  }

  private async doStart(): Promise<void> {
    this.showState({ kind: "starting" });
    const folder = this.folder();
    const choice = await this.chooseInterpreter(folder);
    this.choice = choice;
    const source = { setting: "importsense.interpreter", "python-extension": "the Python extension", default: "default" }[choice.source];
    this.output.info(`Interpreter: ${choice.command} (from ${source}).`);

    const cwd = this.serverCwd(folder);
    const probe = await probeInterpreter(choice.command, { cwd });
    const problem = describeProblem(choice.command, probe);
    if (problem !== undefined) {
      this.output.error(problem);
      this.showState({ kind: "stopped", reason: problem });
      void this.offerInterpreterFix(problem);
      return;
    }
    if (probe.kind === "ok") {
      this.output.info(`importsense is installed in ${probe.executable} (Python ${probe.version}).`);
    }

    const built = this.serverSettings();
    this.logSettings(built);
    const watcher = vscode.workspace.createFileSystemWatcher(
      "**/{*.py,*.pyi,pyproject.toml,setup.cfg,setup.py,pytest.ini,tox.ini,conftest.py}",
    );
    this.perClient.push(watcher);
    const serverOptions: ServerOptions = { command: choice.command, args: SERVER_ARGS, options: { cwd } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file", language: "python" }],
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: built.settings,
      diagnosticCollectionName: "importsense",
      synchronize: { fileEvents: watcher },
      middleware: {
        workspace: {
          // Answer a pull for the "importsense" section with the same flat object we push.
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            return params.items.map((item, index) =>
              item.section === "importsense" ? this.serverSettings().settings : (answer[index] as unknown),
            );
          },
        },
      },
    };
    const client = new ImportsenseClient("importsense", "importsense", serverOptions, clientOptions);
    client.onNotification(COLLECTION_CHANGED_NOTIFICATION, (params: unknown) => this.onCollectionChanged(client, params));
    this.perClient.push(
      client.onDidChangeState((event) => {
        if (client !== this.client) {
          return;
        }
        if (event.newState === State.Stopped) {
          void vscode.commands.executeCommand("setContext", RUNNING_CONTEXT, false);
          this.showState({ kind: "stopped", reason: "the server process stopped; see the output" });
        } else if (event.newState === State.Running && this.state.kind !== "running") {
          void vscode.commands.executeCommand("setContext", RUNNING_CONTEXT, true);
          this.showState({ kind: "running", status: this.status });
          void this.refresh();
        }
      }),
    );
    this.client = client;
    this.statusUnsupported = false;
    this.pollDelay = FIRST_POLL_MS;
    try {
      await client.start();
    } catch (error) {
      this.output.error(`The importsense server failed to start: ${errorMessage(error)}`);
      this.showState({ kind: "stopped", reason: errorMessage(error) });
      void vscode.window
        .showErrorMessage(`importsense: the server failed to start (${choice.command} ${SERVER_ARGS.join(" ")}).`, "Show Output")
        .then((pick) => pick === "Show Output" && this.output.show());
      return;
    }
    this.forwardServerCommands(client);
    await vscode.commands.executeCommand("setContext", RUNNING_CONTEXT, true);
    this.showState({ kind: "running", status: this.status });
    await this.refresh();
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (this.pollTimer !== undefined) {
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
    }
    await vscode.commands.executeCommand("setContext", RUNNING_CONTEXT, false);
    if (client !== undefined) {
      try {
        if (client.needsStop()) {
          await client.stop(5000);
        }
      } catch (error) {
        this.output.warn(`Stopping the server: ${errorMessage(error)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    for (const disposable of this.perClient.splice(0)) {
      disposable.dispose();
    }
    this.status = undefined;
    this.tree.update(undefined);
    this.treeView.badge = undefined;
    this.showState({ kind: "stopped", reason: "stopped" });
  }

  /** Register forwarding handlers for server commands we do not wrap ourselves (e.g. those named by code actions). */
  private forwardServerCommands(client: ImportsenseClient): void {
    const commands = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    for (const command of commands) {
      if (OWN_COMMANDS.has(command)) {
        continue;
      }
      try {
        this.perClient.push(
          vscode.commands.registerCommand(command, (...args: unknown[]) =>
            client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }),
          ),
        );
      } catch (error) {
        this.output.warn(`Could not register server command ${command}: ${errorMessage(error)}`);
      }
    }
  }

  async executeServerCommand(command: string, args: unknown[], progressTitle?: string): Promise<unknown> {
    const client = this.running;
    if (client === undefined) {
      const pick = await vscode.window.showWarningMessage("The importsense server is not running.", "Restart Server", "Show Output");
      if (pick === "Restart Server") {
        await this.restart("requested");
      } else if (pick === "Show Output") {
        this.output.show();
      }
      return undefined;
    }
    const run = () => client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    try {
      const result: unknown =
        progressTitle === undefined
          ? await run()
          : await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: progressTitle }, run);
      const message = resultMessage(result);
      if (message !== undefined) {
        void vscode.window.showInformationMessage(`importsense: ${message}`);
      }
      return result;
    } catch (error) {
      this.output.error(`${command} failed: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(`importsense: ${command} failed: ${errorMessage(error)}`);
      return undefined;
    }
  }

  async recollect(args: unknown[]): Promise<void> {
    await this.executeServerCommand(RECOLLECT_COMMAND, args);
    await this.refresh();
  }

  async sendSettings(): Promise<void> {
    const built = this.serverSettings();
    this.logSettings(built);
    const client = this.running;
    if (client !== undefined) {
      await client.sendNotification(DidChangeConfigurationNotification.type, { settings: built.settings });
    }
  }

  /** Restart when the interpreter to use is no longer the one running, else re-send the settings. */
  async onInterpreterMayHaveChanged(reason: string): Promise<void> {
    const next = await this.chooseInterpreter(this.folder());
    if (this.choice === undefined || next.command !== this.choice.command || this.running === undefined) {
      await this.restart(reason);
    } else {
      this.choice = next;
      await this.sendSettings();
    }
  }

  async onTrustGranted(): Promise<void> {
    this.output.info("Workspace trusted: test collection may run.");
    await this.onInterpreterMayHaveChanged("the workspace is now trusted");
    this.showState(this.state);
  }

  async selectInterpreter(): Promise<void> {
    const action = selectInterpreterAction(
      this.choice?.source ?? "default",
      vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined,
    );
    if (action === "edit-setting") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "importsense.interpreter");
    } else if (action === "python-extension-picker") {
      // The Python extension fires onDidChangeActiveEnvironmentPath, which restarts the server.
      await vscode.commands.executeCommand("python.setInterpreter");
    } else {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        canSelectFolders: false,
        openLabel: "Use this interpreter",
        title: "Select the Python interpreter importsense runs in",
      });
      if (picked?.[0] !== undefined) {
        const target =
          vscode.workspace.isTrusted && vscode.workspace.workspaceFolders !== undefined
            ? vscode.ConfigurationTarget.Workspace
            : vscode.ConfigurationTarget.Global;
        // The configuration change listener restarts the server.
        await vscode.workspace.getConfiguration("importsense").update("interpreter", picked[0].fsPath, target);
      }
    }
  }

  private async offerInterpreterFix(problem: string): Promise<void> {
    const pick = await vscode.window.showErrorMessage(problem, "Select Interpreter", "Show Output");
    if (pick === "Select Interpreter") {
      await this.selectInterpreter();
    } else if (pick === "Show Output") {
      this.output.show();
    }
  }

  private onCollectionChanged(client: ImportsenseClient, params: unknown): void {
    if (client !== this.client) {
      return;
    }
    const status = statusFromNotification(params);
    if (status !== undefined) {
      this.applyStatus(status);
    } else {
      void this.refresh();
    }
  }

  /** Ask the server for the collection status; coalesces overlapping calls and polls while indexing. */
  async refresh(): Promise<void> {
    const client = this.running;
    if (client === undefined || this.statusUnsupported) {
      return;
    }
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      const answer: unknown = await client.sendRequest(COLLECTION_STATUS_REQUEST, {});
      if (client !== this.client) {
        return;
      }
      const status = parseCollectionStatus(answer);
      if (status === undefined) {
        this.output.warn(`Unexpected ${COLLECTION_STATUS_REQUEST} answer: ${JSON.stringify(answer)}`);
        this.schedulePoll();
      } else {
        this.applyStatus(status);
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === METHOD_NOT_FOUND) {
        this.statusUnsupported = true;
        this.output.warn(`The server does not answer ${COLLECTION_STATUS_REQUEST}; the Test collection view stays empty.`);
      } else if (client === this.client && client.isRunning()) {
        this.output.warn(`${COLLECTION_STATUS_REQUEST} failed: ${errorMessage(error)}`);
        this.schedulePoll();
      }
    } finally {
      this.refreshing = false;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        void this.refresh();
      }
    }
  }

  private schedulePoll(): void {
    if (this.pollTimer !== undefined) {
      return;
    }
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.refresh();
    }, this.pollDelay);
    this.pollDelay = Math.min(this.pollDelay * 2, MAX_POLL_MS);
  }

  private applyStatus(status: CollectionStatus): void {
    this.status = status;
    this.tree.update(status);
    const errors = status.summary.errors;
    this.treeView.badge =
      errors > 0 ? { value: errors, tooltip: `${plural(errors, "test file")} ${errors === 1 ? "fails" : "fail"} to collect` } : undefined;
    this.showState({ kind: "running", status });
    if (status.indexing) {
      this.schedulePoll();
    } else {
      this.pollDelay = FIRST_POLL_MS;
    }
  }

  private showState(state: ServerState): void {
    this.state = state;
    this.statusBar.show(state, vscode.workspace.isTrusted);
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }
}

let session: Session | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("importsense", { log: true });
  context.subscriptions.push(output);
  const current = new Session(context, output);
  session = current;
  context.subscriptions.push(
    current,
    vscode.commands.registerCommand("importsense.restartServer", () => current.restart("requested")),
    vscode.commands.registerCommand("importsense.showOutput", () => output.show()),
    vscode.commands.registerCommand("importsense.selectInterpreter", () => current.selectInterpreter()),
    vscode.commands.registerCommand(CONVERT_COMMAND, (...args: unknown[]) =>
      current.executeServerCommand(CONVERT_COMMAND, args, "importsense: converting the workspace to absolute imports…"),
    ),
    vscode.commands.registerCommand(RECOLLECT_COMMAND, (...args: unknown[]) => current.recollect(args)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration("importsense")) {
        return;
      }
      if (event.affectsConfiguration("importsense.interpreter")) {
        void current.onInterpreterMayHaveChanged("importsense.interpreter changed");
      } else if (!event.affectsConfiguration("importsense.trace")) {
        void current.sendSettings();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => current.onTrustGranted()),
  );
  await current.start();
}

export async function deactivate(): Promise<void> {
  const current = session;
  session = undefined;
  if (current !== undefined) {
    await current.stop();
  }
}
