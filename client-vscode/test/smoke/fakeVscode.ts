/** A small in-memory stand-in for the `vscode` module: enough API to activate the real bundle and watch what it shows. */

import * as path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

type Listener<T> = (value: T) => unknown;

export class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  constructor(private readonly callback: () => unknown) {}
  dispose(): void {
    this.callback();
  }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((candidate) => candidate !== listener);
    });
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
    private readonly text: string,
  ) {}
  static file(fsPath: string): Uri {
    return new Uri("file", path.resolve(fsPath), pathToFileURL(fsPath).href);
  }
  static parse(text: string): Uri {
    const scheme = text.split(":")[0] ?? "";
    return new Uri(scheme, scheme === "file" ? fileURLToPath(text) : text, text);
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
  with(): Uri {
    return this;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.start = new Position(startLine, startCharacter);
    this.end = new Position(endLine, endCharacter);
  }
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  iconPath?: unknown;
  resourceUri?: Uri;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(
    readonly label: string,
    readonly collapsibleState: number,
  ) {}
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 };
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };
export const LogLevel = { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 };

/** Everything a test sets up or looks at. */
export const state = {
  trusted: true,
  folders: [] as { uri: Uri; name: string; index: number }[],
  /** importsense.<key> → { globalValue, workspaceValue, ... } */
  config: {} as Record<string, Record<string, unknown>>,
  log: [] as string[],
  messages: [] as { level: string; text: string; actions: string[] }[],
  /** What showXMessage answers, by the start of the message. */
  answers: [] as { startsWith: string; answer: string }[],
  executed: [] as { command: string; args: unknown[] }[],
  contexts: {} as Record<string, unknown>,
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  statusBar: { text: "", tooltip: "", command: "" as string | undefined, visible: false },
  treeProvider: undefined as undefined | { getChildren(node?: unknown): unknown[]; getTreeItem(node: unknown): TreeItem },
  treeView: { badge: undefined as undefined | { value: number; tooltip: string } },
  onDidChangeConfiguration: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
  onDidGrantWorkspaceTrust: new EventEmitter<void>(),
};

export function reset(): void {
  state.trusted = true;
  state.folders = [];
  state.config = {};
  state.log = [];
  state.messages = [];
  state.answers = [];
  state.executed = [];
  state.contexts = {};
  state.commands.clear();
  state.statusBar = { text: "", tooltip: "", command: undefined, visible: false };
  state.treeProvider = undefined;
  state.treeView = { badge: undefined };
  state.onDidChangeConfiguration = new EventEmitter();
  state.onDidGrantWorkspaceTrust = new EventEmitter();
}

/** Change importsense settings and fire the change event the way VS Code does. */
export function changeSettings(changes: Record<string, Record<string, unknown>>): void {
  for (const [key, scopes] of Object.entries(changes)) {
    state.config[key] = { ...(state.config[key] ?? {}), ...scopes };
  }
  const keys = Object.keys(changes).map((key) => `importsense.${key}`);
  state.onDidChangeConfiguration.fire({
    affectsConfiguration: (section: string) => keys.some((key) => key === section || key.startsWith(`${section}.`)),
  });
}

function noEvent(): Disposable {
  return new Disposable(() => undefined);
}

function effective(key: string): unknown {
  const scopes = state.config[key] ?? {};
  const restricted = key === "interpreter" || key === "roots";
  const order = state.trusted || !restricted ? ["workspaceFolderValue", "workspaceValue", "globalValue"] : ["globalValue"];
  for (const scope of order) {
    if (scopes[scope] !== undefined) {
      return scopes[scope];
    }
  }
  return undefined;
}

function showMessage(level: string) {
  return (text: string, ...rest: unknown[]): Promise<string | undefined> => {
    const actions = rest.filter((item): item is string => typeof item === "string");
    state.messages.push({ level, text, actions });
    const answer = state.answers.find((candidate) => text.startsWith(candidate.startsWith));
    return Promise.resolve(answer?.answer);
  };
}

export const window = {
  activeTextEditor: undefined,
  visibleTextEditors: [],
  tabGroups: { all: [], onDidChangeTabs: noEvent, onDidChangeTabGroups: noEvent },
  onDidChangeActiveTextEditor: noEvent,
  onDidChangeVisibleTextEditors: noEvent,
  createOutputChannel(name: string, options?: { log: boolean }) {
    if (options?.log !== true) {
      throw new Error(`output channel ${name} is not a log channel`);
    }
    const write =
      (level: string) =>
      (...parts: unknown[]) => {
        state.log.push(`${Date.now() % 100000} [${level}] ${parts.map((part) => (part instanceof Error ? part.message : String(part))).join(" ")}`);
      };
    return {
      name,
      logLevel: LogLevel.Info,
      onDidChangeLogLevel: noEvent,
      trace: write("trace"),
      debug: write("debug"),
      info: write("info"),
      warn: write("warn"),
      error: write("error"),
      append: write("append"),
      appendLine: write("line"),
      replace: write("replace"),
      clear: () => undefined,
      show: () => state.executed.push({ command: "<show output>", args: [] }),
      hide: () => undefined,
      dispose: () => undefined,
    };
  },
  createStatusBarItem() {
    const item = {
      name: "",
      backgroundColor: undefined,
      show: () => {
        state.statusBar.visible = true;
      },
      hide: () => {
        state.statusBar.visible = false;
      },
      dispose: () => undefined,
    };
    for (const key of ["text", "tooltip", "command"] as const) {
      Object.defineProperty(item, key, {
        get: () => state.statusBar[key],
        set: (value: string) => {
          state.statusBar[key] = value;
        },
      });
    }
    return item;
  },
  createTreeView(_id: string, options: { treeDataProvider: typeof state.treeProvider }) {
    state.treeProvider = options.treeDataProvider;
    const view = { dispose: () => undefined };
    Object.defineProperty(view, "badge", {
      get: () => state.treeView.badge,
      set: (value: typeof state.treeView.badge) => {
        state.treeView.badge = value;
      },
    });
    return view;
  },
  showErrorMessage: showMessage("error"),
  showWarningMessage: showMessage("warning"),
  showInformationMessage: showMessage("information"),
  showOpenDialog: () => Promise.resolve(undefined),
  withProgress: <T>(_options: unknown, task: (progress: unknown, token: unknown) => Promise<T>) =>
    task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: noEvent }),
  showTextDocument: () => Promise.resolve(undefined),
};

export const commands = {
  registerCommand(command: string, callback: (...args: unknown[]) => unknown): Disposable {
    if (state.commands.has(command)) {
      throw new Error(`command '${command}' already exists`);
    }
    state.commands.set(command, callback);
    return new Disposable(() => state.commands.delete(command));
  },
  executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    if (command === "setContext") {
      state.contexts[String(args[0])] = args[1];
      return Promise.resolve(undefined);
    }
    const handler = state.commands.get(command);
    if (handler === undefined) {
      state.executed.push({ command, args });
      return Promise.resolve(undefined);
    }
    return Promise.resolve(handler(...args));
  },
};

export const workspace = {
  get isTrusted() {
    return state.trusted;
  },
  get workspaceFolders() {
    return state.folders.length > 0 ? state.folders : undefined;
  },
  get onDidChangeConfiguration() {
    return state.onDidChangeConfiguration.event;
  },
  get onDidGrantWorkspaceTrust() {
    return state.onDidGrantWorkspaceTrust.event;
  },
  textDocuments: [],
  notebookDocuments: [],
  onDidOpenTextDocument: noEvent,
  onDidChangeTextDocument: noEvent,
  onDidCloseTextDocument: noEvent,
  onDidSaveTextDocument: noEvent,
  onWillSaveTextDocument: noEvent,
  onDidChangeWorkspaceFolders: noEvent,
  onDidOpenNotebookDocument: noEvent,
  onDidChangeNotebookDocument: noEvent,
  onDidCloseNotebookDocument: noEvent,
  onDidSaveNotebookDocument: noEvent,
  onDidCreateFiles: noEvent,
  onDidRenameFiles: noEvent,
  onDidDeleteFiles: noEvent,
  onWillCreateFiles: noEvent,
  onWillRenameFiles: noEvent,
  onWillDeleteFiles: noEvent,
  getWorkspaceFolder: () => state.folders[0],
  applyEdit: () => Promise.resolve(true),
  createFileSystemWatcher: () => ({
    onDidCreate: noEvent,
    onDidChange: noEvent,
    onDidDelete: noEvent,
    dispose: () => undefined,
  }),
  getConfiguration(section?: string) {
    const prefix = section === undefined ? "" : `${section}.`;
    const keyOf = (key: string) => `${prefix}${key}`.replace(/^importsense\./, "");
    return {
      get: <T>(key: string, fallback?: T) => {
        if (!`${prefix}${key}`.startsWith("importsense.")) {
          return fallback;
        }
        const value = effective(keyOf(key));
        return value === undefined ? fallback : value;
      },
      has: () => false,
      inspect: (key: string) => {
        const scopes = state.config[keyOf(key)] ?? {};
        if (!state.trusted && (keyOf(key) === "interpreter" || keyOf(key) === "roots")) {
          return { key, defaultValue: null, globalValue: scopes.globalValue };
        }
        return { key, defaultValue: null, ...scopes };
      },
      update: (key: string, value: unknown) => {
        changeSettings({ [keyOf(key)]: { globalValue: value } });
        return Promise.resolve();
      },
    };
  },
};

export const extensions = {
  getExtension: () => undefined,
  all: [],
  onDidChange: noEvent,
};

export const languages = {
  createDiagnosticCollection: () => ({
    set: () => undefined,
    delete: () => undefined,
    clear: () => undefined,
    forEach: () => undefined,
    dispose: () => undefined,
  }),
  match: () => 0,
  getLanguages: () => Promise.resolve(["python"]),
};

export const env = { appName: "fake-vscode", language: "en", uiKind: 1, openExternal: () => Promise.resolve(true) };
export const version = "1.85.0";

/** Classes the language client extends or builds at load time; the smoke test needs only that they exist. */
class Stub {
  constructor(...args: unknown[]) {
    void args;
  }
}
export class CallHierarchyItem extends Stub {}
export class CodeLens extends Stub {}
export class CompletionItem extends Stub {}
export class DocumentLink extends Stub {}
export class InlayHint extends Stub {}
export class SymbolInformation extends Stub {}
export class TypeHierarchyItem extends Stub {}
export class MarkdownString extends Stub {}
export class Location extends Stub {}
export class RelativePattern extends Stub {}
export class CodeAction extends Stub {}
export class Diagnostic extends Stub {}
export class CancellationError extends Error {}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  readonly token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

/** Enums the language client reads while it sets up; each member is just its own name. */
function namedEnum(): Record<string, string> {
  return new Proxy({}, { get: (_target, name) => (typeof name === "string" ? name : undefined) });
}
export const CodeActionKind = namedEnum();
export const CodeActionTriggerKind = namedEnum();
export const CompletionItemKind = namedEnum();
export const CompletionItemTag = namedEnum();
export const CompletionTriggerKind = namedEnum();
export const DiagnosticTag = namedEnum();
export const DocumentHighlightKind = namedEnum();
export const FileType = namedEnum();
export const FoldingRangeKind = namedEnum();
export const NotebookCellKind = namedEnum();
export const SignatureHelpTriggerKind = namedEnum();
export const SymbolKind = namedEnum();
export const SymbolTag = namedEnum();
export const TextDocumentSaveReason = namedEnum();
