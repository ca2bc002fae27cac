/** Which Python interpreter runs the importsense server: pure choice logic, no `vscode` import. */

import * as path from "node:path";

/** Where the chosen interpreter came from. */
export type InterpreterSource = "setting" | "python-extension" | "default";

/** The interpreter to launch and why it was picked. */
export interface InterpreterChoice {
  readonly command: string;
  readonly source: InterpreterSource;
}

/** What the Python extension reported for the active environment, if it is installed. */
export interface PythonExtensionReport {
  /** `getActiveEnvironmentPath().path`: an executable, a folder, or a bare default such as `python`. */
  readonly environmentPath?: string;
  /** `resolveEnvironment(...).executable.uri.fsPath`, when the environment resolved. */
  readonly executable?: string;
}

/** Values `${...}` variables in the interpreter setting expand to. */
export interface ExpansionContext {
  readonly workspaceFolder?: string;
  readonly userHome: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The fallback when neither the setting nor the Python extension names an interpreter. */
export function defaultPython(platform: NodeJS.Platform): string {
  return platform === "win32" ? "python" : "python3";
}

/**
 * Expand `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~`.
 * Unknown variables, and `${workspaceFolder}` without a folder, are left as written.
 */
export function expandVariables(value: string, context: ExpansionContext): string {
  let text = value.replace(/\$\{([^}]+)\}/g, (whole: string, name: string) => {
    if (name === "workspaceFolder") {
      return context.workspaceFolder ?? whole;
    }
    if (name === "userHome") {
      return context.userHome;
    }
    if (name.startsWith("env:")) {
      return context.env[name.slice("env:".length)] ?? "";
    }
    return whole;
  });
  if (text === "~" || text.startsWith("~/") || text.startsWith("~\\")) {
    text = context.userHome + text.slice(1);
  }
  return text;
}

/** The Python extension's executable, or undefined when it only knows a bare default name. */
export function pythonExtensionExecutable(report: PythonExtensionReport | undefined): string | undefined {
  if (report === undefined) {
    return undefined;
  }
  const executable = report.executable?.trim();
  if (executable) {
    return executable;
  }
  const environmentPath = report.environmentPath?.trim();
  // An unresolved bare name ("python") is the extension's own default, not a user choice.
  if (environmentPath && (path.posix.isAbsolute(environmentPath) || path.win32.isAbsolute(environmentPath))) {
    return environmentPath;
  }
  return undefined;
}

/** The `importsense.interpreter` setting wins, then the Python extension, then `python3`. */
export function chooseInterpreter(input: {
  readonly setting?: string;
  readonly pythonExtension?: PythonExtensionReport;
  readonly platform: NodeJS.Platform;
  readonly expansion: ExpansionContext;
}): InterpreterChoice {
  const setting = input.setting?.trim();
  if (setting) {
    return { command: expandVariables(setting, input.expansion), source: "setting" };
  }
  const fromExtension = pythonExtensionExecutable(input.pythonExtension);
  if (fromExtension !== undefined) {
    return { command: fromExtension, source: "python-extension" };
  }
  return { command: defaultPython(input.platform), source: "default" };
}

/** What "Select Interpreter" does: the setting must be edited when it is the one in force. */
export type SelectInterpreterAction = "edit-setting" | "python-extension-picker" | "browse";

export function selectInterpreterAction(
  source: InterpreterSource,
  hasPythonExtension: boolean,
): SelectInterpreterAction {
  if (source === "setting") {
    return "edit-setting";
  }
  return hasPythonExtension ? "python-extension-picker" : "browse";
}
