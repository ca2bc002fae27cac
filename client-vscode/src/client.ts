/** Builds the LanguageClient for `<python> -m importsense serve` and forwards server commands. */

import * as vscode from "vscode";
import {
  type DynamicFeature,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  type StaticFeature,
} from "vscode-languageclient/node";
import type { ServerSettings } from "./settings";
import { errorMessage } from "./util";

export const SERVER_ARGS: readonly string[] = ["-m", "importsense", "serve"];
const WATCHED_FILES = "**/{*.py,*.pyi,pyproject.toml,setup.cfg,setup.py,pytest.ini,tox.ini,conftest.py}";

/**
 * A LanguageClient without the built-in executeCommand feature: that feature registers a VS Code
 * command for every command the server advertises, which clashes with the palette commands this
 * extension registers under the same ids. `forwardServerCommands` covers the rest.
 */
export class ImportsenseClient extends LanguageClient {
  public override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    if ("registrationType" in feature && feature.registrationType.method === ExecuteCommandRequest.method) {
      return;
    }
    super.registerFeature(feature);
  }
}

/** A client that launches the server over stdio (no `--stdio` flag: the server's default). */
export function createClient(options: {
  readonly python: string;
  readonly cwd: string;
  readonly output: vscode.LogOutputChannel;
  readonly settings: () => ServerSettings;
  readonly disposables: vscode.Disposable[];
}): ImportsenseClient {
  const watcher = vscode.workspace.createFileSystemWatcher(WATCHED_FILES);
  options.disposables.push(watcher);
  const serverOptions: ServerOptions = { command: options.python, args: [...SERVER_ARGS], options: { cwd: options.cwd } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "python" }],
    outputChannel: options.output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: options.settings(),
    diagnosticCollectionName: "importsense",
    synchronize: { fileEvents: watcher },
    middleware: {
      workspace: {
        // A pull for the "importsense" section gets the same flat object that is pushed.
        configuration: async (params, token, next) => {
          const answer = await next(params, token);
          if (!Array.isArray(answer)) {
            return answer;
          }
          return params.items.map((item, index) =>
            item.section === "importsense" ? options.settings() : (answer[index] as unknown),
          );
        },
      },
    },
  };
  return new ImportsenseClient("importsense", "importsense", serverOptions, clientOptions);
}

/** Register a forwarding VS Code command for each server command not in `own` (e.g. commands named by code actions). */
export function forwardServerCommands(
  client: LanguageClient,
  own: ReadonlySet<string>,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const disposables: vscode.Disposable[] = [];
  for (const command of client.initializeResult?.capabilities.executeCommandProvider?.commands ?? []) {
    if (own.has(command)) {
      continue;
    }
    try {
      disposables.push(
        vscode.commands.registerCommand(command, (...args: unknown[]) =>
          client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }),
        ),
      );
    } catch (error) {
      output.warn(`Could not register server command ${command}: ${errorMessage(error)}`);
    }
  }
  return disposables;
}
