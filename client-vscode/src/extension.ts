/** VS Code entry point: picks the interpreter, runs the server, and wires settings, trust and commands. */

import * as os from "node:os";
import * as vscode from "vscode";
import { DidChangeConfigurationNotification, ExecuteCommandRequest, State } from "vscode-languageclient/node";
import { createClient, forwardServerCommands, type ImportsenseClient, SERVER_ARGS } from "./client";
import { COLLECTION_CHANGED_NOTIFICATION } from "./collectionModel";
import { CollectionSync } from "./collectionSync";
import {
  chooseInterpreter,
  type ExpansionContext,
  expandVariables,
  type InterpreterChoice,
  selectInterpreterAction,
} from "./interpreter";
import { describeProblem, probeInterpreter } from "./probe";
import { hasPythonExtension, PythonExtensionBridge } from "./pythonExtension";
import { type BuiltSettings, buildServerSettings, explicitValue } from "./settings";
import { errorMessage, resultMessage } from "./util";

const CONVERT_COMMAND = "importsense.convertWorkspaceToAbsolute";
const RECOLLECT_COMMAND = "importsense.recollect";
/** Commands this extension registers itself; server commands with these ids go through these handlers. */
const OWN_COMMANDS: ReadonlySet<string> = new Set([
  CONVERT_COMMAND,
  RECOLLECT_COMMAND,
  "importsense.restartServer",
  "importsense.showOutput",
  "importsense.selectInterpreter",
]);
const RUNNING_CONTEXT = "importsense.serverRunning";
const SOURCE_NAMES = { setting: "importsense.interpreter", "python-extension": "the Python extension", default: "default" };

/** One server at a time: start, stop, restart, settings, and the commands that talk to it. */
class Session implements vscode.Disposable {
  private client: ImportsenseClient | undefined;
  private choice: InterpreterChoice | undefined;
  private readonly perClient: vscode.Disposable[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly collection: CollectionSync;
  private readonly python: PythonExtensionBridge;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.collection = new CollectionSync(output);
    this.python = new PythonExtensionBridge(output, () => {
      void this.onInterpreterMayHaveChanged("the Python extension's interpreter changed");
    });
  }

  /** Run lifecycle steps one after another, so a restart never overlaps a start. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.output.error(`importsense: ${errorMessage(error)}`);
      this.collection.show({ kind: "stopped", reason: errorMessage(error) });
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

  private get running(): ImportsenseClient | undefined {
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

  private async chooseInterpreter(folder: vscode.WorkspaceFolder | undefined): Promise<InterpreterChoice> {
    const config = vscode.workspace.getConfiguration("importsense", folder?.uri);
    const setting = explicitValue(config.inspect("interpreter"), { workspaceScopes: vscode.workspace.isTrusted });
    const settingText = typeof setting === "string" && setting.trim() !== "" ? setting : undefined;
    return chooseInterpreter({
      setting: settingText,
      pythonExtension: settingText === undefined ? await this.python.report(folder) : undefined,
      platform: process.platform,
      expansion: this.expansion(folder),
    });
  }

  private serverSettings(): BuiltSettings {
    const folder = this.folder();
    const config = vscode.workspace.getConfiguration("importsense", folder?.uri);
    return buildServerSettings({
      inspect: (key) => config.inspect(key),
      trusted: vscode.workspace.isTrusted,
      python: this.choice !== undefined && this.choice.source !== "default" ? this.choice.command : undefined,
      expand: (text) => expandVariables(text, this.expansion(folder)),
    });
  }

  private loggedSettings(): BuiltSettings {
    const built = this.serverSettings();
    for (const problem of built.problems) {
      this.output.warn(problem);
    }
    this.output.info(`Server settings: ${JSON.stringify(built.settings)}`);
    return built;
  }

  private async doStart(): Promise<void> {
    this.collection.show({ kind: "starting" });
    const folder = this.folder();
    const choice = await this.chooseInterpreter(folder);
    this.choice = choice;
    this.output.info(`Interpreter: ${choice.command} (from ${SOURCE_NAMES[choice.source]}).`);

    const cwd = this.serverCwd(folder);
    const probe = await probeInterpreter(choice.command, { cwd });
    const problem = describeProblem(choice.command, probe);
    if (problem !== undefined) {
      this.output.error(problem);
      this.collection.show({ kind: "stopped", reason: problem });
      void this.offerInterpreterFix(problem);
      return;
    }
    if (probe.kind === "ok") {
      this.output.info(`importsense is installed in ${probe.executable} (Python ${probe.version}).`);
    }

    this.loggedSettings();
    const client = createClient({
      python: choice.command,
      cwd,
      output: this.output,
      settings: () => this.serverSettings().settings,
      disposables: this.perClient,
    });
    client.onNotification(COLLECTION_CHANGED_NOTIFICATION, (params: unknown) => this.collection.onChanged(client, params));
    this.perClient.push(
      client.onDidChangeState((event) => {
        if (client !== this.client) {
          return;
        }
        if (event.newState === State.Stopped) {
          void vscode.commands.executeCommand("setContext", RUNNING_CONTEXT, false);
          this.collection.show({ kind: "stopped", reason: "the server process stopped; see the output" });
        } else if (event.newState === State.Running) {
          void vscode.commands.executeCommand("setContext", RUNNING_CONTEXT, true);
          this.collection.resumed();
        }
      }),
    );
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.output.error(`The importsense server failed to start: ${errorMessage(error)}`);
      this.collection.show({ kind: "stopped", reason: errorMessage(error) });
      void vscode.window
        .showErrorMessage(`importsense: the server failed to start (${choice.command} ${SERVER_ARGS.join(" ")}).`, "Show Output")
        .then((pick) => pick === "Show Output" && this.output.show());
      return;
    }
    this.perClient.push(...forwardServerCommands(client, OWN_COMMANDS, this.output));
    await vscode.commands.executeCommand("setContext", RUNNING_CONTEXT, true);
    await this.collection.attach(client);
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.collection.detach({ kind: "stopped", reason: "stopped" });
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
  }

  /** Run a server command; says so when the server is not running, shows the result's message if any. */
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
    await this.collection.refresh();
  }

  async sendSettings(): Promise<void> {
    const built = this.loggedSettings();
    const client = this.running;
    if (client !== undefined) {
      await client.sendNotification(DidChangeConfigurationNotification.type, { settings: built.settings });
    }
  }

  /** Restart when the interpreter to use is not the one running, else re-send the settings. */
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
    this.collection.show();
  }

  async selectInterpreter(): Promise<void> {
    const action = selectInterpreterAction(this.choice?.source ?? "default", hasPythonExtension());
    if (action === "edit-setting") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "importsense.interpreter");
    } else if (action === "python-extension-picker") {
      // The Python extension then fires onDidChangeActiveEnvironmentPath, which restarts the server.
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
        // The configuration listener restarts the server.
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

  dispose(): void {
    this.collection.dispose();
    this.python.dispose();
  }
}

let session: Session | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("importsense", { log: true });
  const current = new Session(context, output);
  session = current;
  context.subscriptions.push(
    output,
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
  await current?.stop();
}
