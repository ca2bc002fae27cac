/** Editor settings → the flat settings object sent to the server; pure, no `vscode` import. */

/** The settings keys under `importsense.` that are passed to the server. */
export const SERVER_SETTING_KEYS = ["debounce", "collection", "select", "ignore", "severity", "roots"] as const;
export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];

/** Settings whose workspace values VS Code ignores in an untrusted workspace (package.json restrictedConfigurations). */
export const RESTRICTED_KEYS: ReadonlySet<string> = new Set(["interpreter", "roots"]);

export const COLLECTION_MODES = ["off", "onSave", "onOpen"] as const;
export type CollectionMode = (typeof COLLECTION_MODES)[number];

export const SEVERITIES = ["error", "warning", "information", "hint"] as const;
export type SeverityName = (typeof SEVERITIES)[number];

/** The shape of `WorkspaceConfiguration.inspect(key)` that matters here. */
export interface Inspected {
  readonly defaultValue?: unknown;
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

/** The flat object of the server contract (initializationOptions and didChangeConfiguration). */
export interface ServerSettings {
  python?: string;
  debounce?: number;
  collection?: CollectionMode;
  select?: string[];
  ignore?: string[];
  severity?: Record<string, SeverityName>;
  roots?: string[];
  trusted: boolean;
}

/** Settings plus what was wrong with the ones that had to be dropped. */
export interface BuiltSettings {
  readonly settings: ServerSettings;
  readonly problems: readonly string[];
}

/**
 * The value the user set, most specific scope first; `undefined` when only the contributed default applies.
 * `null` counts as unset (it is the contributed default meaning "use pyproject.toml").
 * In an untrusted workspace the workspace scopes of restricted settings are skipped.
 */
export function explicitValue(inspected: Inspected | undefined, options: { workspaceScopes: boolean }): unknown {
  if (inspected === undefined) {
    return undefined;
  }
  const scopes = options.workspaceScopes
    ? [inspected.workspaceFolderValue, inspected.workspaceValue, inspected.globalValue]
    : [inspected.globalValue];
  for (const value of scopes) {
    if (value !== undefined && value !== null) {
      return value;
    }
  }
  return undefined;
}

const SEVERITY_ALIASES: Readonly<Record<string, SeverityName>> = {
  error: "error",
  err: "error",
  warning: "warning",
  warn: "warning",
  information: "information",
  info: "information",
  hint: "hint",
};

function stringList(key: string, value: unknown, problems: string[], expand?: (text: string) => string): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.push(`importsense.${key} must be a list of strings; ignored.`);
    return undefined;
  }
  const items: string[] = [];
  for (const item of value) {
    if (typeof item !== "string" || item.trim() === "") {
      problems.push(`importsense.${key}: ${JSON.stringify(item)} is not a non-empty string; skipped.`);
      continue;
    }
    items.push(expand ? expand(item.trim()) : item.trim());
  }
  return items;
}

function severityMap(value: unknown, problems: string[]): Record<string, SeverityName> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push("importsense.severity must be an object mapping rule names to severities; ignored.");
    return undefined;
  }
  const result: Record<string, SeverityName> = {};
  for (const [rule, level] of Object.entries(value as Record<string, unknown>)) {
    const canonical = typeof level === "string" ? SEVERITY_ALIASES[level.trim().toLowerCase()] : undefined;
    if (rule.trim() === "" || canonical === undefined) {
      problems.push(
        `importsense.severity: ${JSON.stringify(rule)}: ${JSON.stringify(level)} is not one of ${SEVERITIES.join(", ")}; skipped.`,
      );
      continue;
    }
    result[rule.trim()] = canonical;
  }
  return result;
}

/**
 * Build the server settings: only keys the user set, plus `trusted` (always), and `collection`
 * forced to "off" in an untrusted workspace. `python` is sent when the interpreter was chosen
 * by the user (setting or Python extension), not when it is the `python3` fallback.
 */
export function buildServerSettings(input: {
  readonly inspect: (key: ServerSettingKey) => Inspected | undefined;
  readonly trusted: boolean;
  readonly python?: string;
  readonly expand?: (text: string) => string;
}): BuiltSettings {
  const problems: string[] = [];
  const settings: ServerSettings = { trusted: input.trusted };
  const value = (key: ServerSettingKey): unknown =>
    explicitValue(input.inspect(key), { workspaceScopes: input.trusted || !RESTRICTED_KEYS.has(key) });

  if (input.python !== undefined && input.python.trim() !== "") {
    settings.python = input.python;
  }

  const debounce = value("debounce");
  if (debounce !== undefined) {
    if (typeof debounce === "number" && Number.isFinite(debounce) && debounce >= 0) {
      settings.debounce = Math.round(debounce);
    } else {
      problems.push(`importsense.debounce must be a number of milliseconds >= 0; ${JSON.stringify(debounce)} ignored.`);
    }
  }

  const collection = value("collection");
  if (collection !== undefined && !(COLLECTION_MODES as readonly unknown[]).includes(collection)) {
    problems.push(`importsense.collection must be one of ${COLLECTION_MODES.join(", ")}; ${JSON.stringify(collection)} ignored.`);
  } else if (collection !== undefined) {
    settings.collection = collection as CollectionMode;
  }
  if (!input.trusted) {
    settings.collection = "off";
  }

  const select = value("select");
  if (select !== undefined) {
    settings.select = stringList("select", select, problems);
  }
  const ignore = value("ignore");
  if (ignore !== undefined) {
    settings.ignore = stringList("ignore", ignore, problems);
  }
  const severity = value("severity");
  if (severity !== undefined) {
    settings.severity = severityMap(severity, problems);
  }
  const roots = value("roots");
  if (roots !== undefined) {
    settings.roots = stringList("roots", roots, problems, input.expand);
  }

  for (const key of Object.keys(settings) as (keyof ServerSettings)[]) {
    if (settings[key] === undefined) {
      delete settings[key];
    }
  }
  return { settings, problems };
}

