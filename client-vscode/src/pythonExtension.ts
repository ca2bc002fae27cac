/** The Python extension's selected interpreter, through its public API, when that extension is installed. */

import * as vscode from "vscode";
import { PythonExtension } from "@vscode/python-extension";
import type { PythonExtensionReport } from "./interpreter";
import { errorMessage, withTimeout } from "./util";

export const PYTHON_EXTENSION_ID = "ms-python.python";
const API_TIMEOUT_MS = 15_000;

export function hasPythonExtension(): boolean {
  return vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
}

/** Loads the API once, reports the active environment, and calls `onChange` when the user picks another. */
export class PythonExtensionBridge implements vscode.Disposable {
  private api: PythonExtension | undefined;
  private subscription: vscode.Disposable | undefined;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly onChange: () => void,
  ) {}

  private async load(): Promise<PythonExtension | undefined> {
    if (this.api !== undefined || !hasPythonExtension()) {
      return this.api;
    }
    try {
      const api = await withTimeout(PythonExtension.api(), API_TIMEOUT_MS);
      if (api === undefined) {
        this.output.warn("The Python extension did not activate within 15 s; not using its interpreter.");
        return undefined;
      }
      this.api = api;
      this.subscription = api.environments.onDidChangeActiveEnvironmentPath(() => this.onChange());
      return api;
    } catch (error) {
      this.output.warn(`Could not use the Python extension's API: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /** What the Python extension has selected for `folder`, or undefined without the extension. */
  async report(folder: vscode.WorkspaceFolder | undefined): Promise<PythonExtensionReport | undefined> {
    const api = await this.load();
    if (api === undefined) {
      return undefined;
    }
    try {
      const environmentPath = api.environments.getActiveEnvironmentPath(folder?.uri);
      const resolved = await withTimeout(api.environments.resolveEnvironment(environmentPath), API_TIMEOUT_MS);
      return { environmentPath: environmentPath.path, executable: resolved?.executable.uri?.fsPath };
    } catch (error) {
      this.output.warn(`The Python extension could not tell its interpreter: ${errorMessage(error)}`);
      return undefined;
    }
  }

  dispose(): void {
    this.subscription?.dispose();
  }
}
