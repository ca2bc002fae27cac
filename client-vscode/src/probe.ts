/** Ask an interpreter whether it can run importsense, before the server is launched; no `vscode` import. */

import { execFile } from "node:child_process";

/** The lowest Python the server supports (pyproject's requires-python). */
export const MINIMUM_PYTHON: readonly [number, number] = [3, 10];

/** Prints sys.executable, the version and whether the module is importable; never imports it. */
export const PROBE_SCRIPT = [
  "import sys",
  "try:",
  "    import importlib.util as u",
  "    found = u.find_spec(sys.argv[1]) is not None",
  "except Exception:",
  "    found = False",
  "sys.stdout.write('importsense-probe\\n%s\\n%d.%d.%d\\n%s\\n' % ((sys.executable,) + tuple(sys.version_info[:3]) + ('found' if found else 'missing',)))",
].join("\n");

/** The outcome of the probe subprocess, as data. */
export interface ProcessOutcome {
  /** Node's error code when the process could not be started (`ENOENT`, `EACCES`, ...). */
  readonly errorCode?: string;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export type ProbeResult =
  | { readonly kind: "ok"; readonly executable: string; readonly version: string }
  | { readonly kind: "missing"; readonly executable: string; readonly version: string }
  | { readonly kind: "unsupported"; readonly executable: string; readonly version: string }
  | { readonly kind: "not-found"; readonly detail: string }
  | { readonly kind: "failed"; readonly detail: string };

function versionAtLeast(version: string, minimum: readonly [number, number]): boolean {
  const [major, minor] = version.split(".").map((part) => Number.parseInt(part, 10));
  if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) {
    return false;
  }
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
}

/** Turn the probe's process outcome into a verdict. */
export function interpretProbe(
  outcome: ProcessOutcome,
  minimum: readonly [number, number] = MINIMUM_PYTHON,
): ProbeResult {
  if (outcome.errorCode === "ENOENT" || outcome.errorCode === "EACCES" || outcome.errorCode === "ENOTDIR") {
    return { kind: "not-found", detail: outcome.errorCode };
  }
  if (outcome.timedOut) {
    return { kind: "failed", detail: "the interpreter did not answer within the time limit" };
  }
  const lines = outcome.stdout.split(/\r?\n/);
  const marker = lines.indexOf("importsense-probe");
  if (outcome.exitCode !== 0 || marker < 0 || lines.length < marker + 4) {
    const stderr = outcome.stderr.trim();
    const detail = stderr || outcome.errorCode || `exit code ${String(outcome.exitCode)}`;
    return { kind: "failed", detail };
  }
  const executable = lines[marker + 1] ?? "";
  const version = lines[marker + 2] ?? "";
  const verdict = lines[marker + 3];
  if (!versionAtLeast(version, minimum)) {
    return { kind: "unsupported", executable, version };
  }
  return { kind: verdict === "found" ? "ok" : "missing", executable, version };
}

/** Run the probe in `python` (a real subprocess) and interpret it. */
export function probeInterpreter(
  python: string,
  options: {
    cwd?: string;
    module?: string;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    minimum?: readonly [number, number];
  } = {},
): Promise<ProbeResult> {
  const module = options.module ?? "importsense";
  return new Promise((resolve) => {
    execFile(
      python,
      ["-c", PROBE_SCRIPT, module],
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 20_000, windowsHide: true },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number }) | null;
        const errorCode = failure && typeof failure.code === "string" ? failure.code : undefined;
        const exitCode = failure === null ? 0 : typeof failure.code === "number" ? failure.code : null;
        resolve(
          interpretProbe(
            {
              errorCode,
              exitCode,
              stdout: String(stdout),
              stderr: String(stderr),
              timedOut: Boolean(failure?.killed) && failure?.signal === "SIGTERM",
            },
            options.minimum,
          ),
        );
      },
    );
  });
}

/** One sentence for the user saying what is wrong with the interpreter. */
export function describeProblem(python: string, result: ProbeResult): string | undefined {
  switch (result.kind) {
    case "ok":
      return undefined;
    case "missing":
      return `importsense is not installed in ${result.executable} (Python ${result.version}). Install it there with "${result.executable} -m pip install importsense", or select another interpreter.`;
    case "unsupported":
      return `importsense needs Python ${MINIMUM_PYTHON.join(".")} or newer, but ${result.executable} is Python ${result.version}. Select another interpreter.`;
    case "not-found":
      return `The Python interpreter "${python}" was not found (${result.detail}). Select an interpreter, or set importsense.interpreter.`;
    case "failed":
      return `The Python interpreter "${python}" could not be run: ${lastLine(result.detail)}. Select another interpreter.`;
  }
}

/** The last non-empty line: for a traceback, the exception itself. */
function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  return (lines[lines.length - 1] ?? text).trim();
}
