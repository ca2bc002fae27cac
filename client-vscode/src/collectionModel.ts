/** The `importsense/collectionStatus` answer → tree nodes and status-bar text; pure, no `vscode` import. */

export const COLLECTION_STATUS_REQUEST = "importsense/collectionStatus";
export const COLLECTION_CHANGED_NOTIFICATION = "importsense/collectionChanged";

export type FileStatus = "ok" | "error" | "static" | "pending";
const FILE_STATUSES: readonly FileStatus[] = ["ok", "error", "static", "pending"];

export interface CollectionError {
  readonly type: string;
  readonly message: string;
  /** 1-based line in the test file. */
  readonly line: number;
}

export interface CollectionFile {
  readonly uri: string;
  readonly path: string;
  readonly status: FileStatus;
  readonly tests: number;
  readonly error: CollectionError | null;
}

export interface CollectionSummary {
  readonly files: number;
  readonly tests: number;
  readonly errors: number;
}

export interface CollectionStatus {
  readonly files: readonly CollectionFile[];
  readonly summary: CollectionSummary;
  readonly indexing: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}

function parseError(value: unknown): CollectionError | null {
  if (!isRecord(value)) {
    return null;
  }
  const line = typeof value.line === "number" && Number.isFinite(value.line) && value.line >= 1 ? Math.floor(value.line) : 1;
  return {
    type: typeof value.type === "string" && value.type !== "" ? value.type : "Error",
    message: typeof value.message === "string" ? value.message : "",
    line,
  };
}

function parseFile(value: unknown): CollectionFile | undefined {
  if (!isRecord(value) || typeof value.uri !== "string" || value.uri === "") {
    return undefined;
  }
  const status = FILE_STATUSES.includes(value.status as FileStatus) ? (value.status as FileStatus) : "pending";
  const error = parseError(value.error);
  return {
    uri: value.uri,
    path: typeof value.path === "string" && value.path !== "" ? value.path : value.uri,
    status,
    tests: count(value.tests),
    // An error status without details still fails to collect; details without the status are dropped.
    error: status === "error" ? (error ?? { type: "Error", message: "", line: 1 }) : null,
  };
}

/** Validate a server answer; malformed entries are dropped, a malformed answer is `undefined`. */
export function parseCollectionStatus(value: unknown): CollectionStatus | undefined {
  if (!isRecord(value) || !Array.isArray(value.files)) {
    return undefined;
  }
  const files = value.files.map(parseFile).filter((file): file is CollectionFile => file !== undefined);
  const summary = isRecord(value.summary)
    ? { files: count(value.summary.files), tests: count(value.summary.tests), errors: count(value.summary.errors) }
    : {
        files: files.length,
        tests: files.reduce((total, file) => total + file.tests, 0),
        errors: files.filter((file) => file.status === "error").length,
      };
  return { files, summary, indexing: value.indexing === true };
}

/** "1 test file", "2 test files". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** What the client knows about the server, for the status bar. */
export type ServerState =
  | { readonly kind: "starting" }
  | { readonly kind: "stopped"; readonly reason?: string }
  | { readonly kind: "running"; readonly status?: CollectionStatus };

/** Status-bar text, e.g. "importsense: 412 test files, 17 fail to collect". */
export function statusText(state: ServerState): string {
  switch (state.kind) {
    case "starting":
      return "importsense: starting…";
    case "stopped":
      return "importsense: not running";
    case "running": {
      const status = state.status;
      if (status === undefined || status.indexing) {
        return "importsense: indexing…";
      }
      const files = plural(status.summary.files, "test file");
      if (status.files.length > 0 && status.files.every((file) => file.status === "static")) {
        return `importsense: ${files}, not collected`;
      }
      const errors = status.summary.errors;
      return `importsense: ${files}, ${errors} ${errors === 1 ? "fails" : "fail"} to collect`;
    }
  }
}

/** Status-bar tooltip: the numbers in full and what a click does. */
export function statusTooltip(state: ServerState, trusted: boolean): string {
  const lines: string[] = [];
  if (state.kind === "stopped") {
    lines.push(state.reason ? `The importsense server is not running: ${state.reason}` : "The importsense server is not running.");
    lines.push("Click to show the output.");
    return lines.join("\n");
  }
  if (state.kind === "running" && state.status !== undefined) {
    const { summary, indexing } = state.status;
    lines.push(`${plural(summary.files, "test file")} with ${plural(summary.tests, "test")}; ${summary.errors} ${summary.errors === 1 ? "fails" : "fail"} to collect.`);
    if (indexing) {
      lines.push("Indexing…");
    }
  }
  if (!trusted) {
    lines.push("Untrusted workspace: pytest collection is off (test files are only counted).");
  }
  lines.push("Click to show the Test collection view.");
  return lines.join("\n");
}

/** A node of the "Test collection" tree. */
export type TreeNode = GroupNode | FileNode | MessageNode;

export interface GroupNode {
  readonly kind: "group";
  readonly id: string;
  readonly status: FileStatus;
  readonly label: string;
  readonly description: string;
  readonly expanded: boolean;
  readonly children: readonly FileNode[];
}

export interface FileNode {
  readonly kind: "file";
  readonly id: string;
  readonly status: FileStatus;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly uri: string;
  /** 1-based line to reveal when the node is opened. */
  readonly line: number;
}

export interface MessageNode {
  readonly kind: "message";
  readonly id: string;
  readonly label: string;
}

const GROUPS: readonly { status: FileStatus; label: string; expanded: boolean }[] = [
  { status: "error", label: "Fail to collect", expanded: true },
  { status: "pending", label: "Collecting", expanded: false },
  { status: "ok", label: "Collected", expanded: false },
  { status: "static", label: "Not collected (counted statically)", expanded: false },
];

function oneLine(text: string, limit: number): string {
  const line = text.split(/\r?\n/).find((part) => part.trim() !== "")?.trim() ?? "";
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}

function fileNode(file: CollectionFile): FileNode {
  const tests = plural(file.tests, "test");
  if (file.status === "error" && file.error !== null) {
    const summary = file.error.message ? `${file.error.type}: ${oneLine(file.error.message, 100)}` : file.error.type;
    return {
      kind: "file",
      id: `file:${file.uri}`,
      status: "error",
      label: file.path,
      description: summary,
      tooltip: `${file.path}:${file.error.line}\n${file.error.type}${file.error.message ? `: ${file.error.message}` : ""}`,
      uri: file.uri,
      line: file.error.line,
    };
  }
  const description = file.status === "static" ? `${tests} (static count)` : file.status === "pending" ? "collecting…" : tests;
  return {
    kind: "file",
    id: `file:${file.uri}`,
    status: file.status,
    label: file.path,
    description,
    tooltip: `${file.path}\n${description}`,
    uri: file.uri,
    line: 1,
  };
}

/** Group files by status (failures first, each group sorted by path); empty groups are left out. */
export function buildTree(status: CollectionStatus | undefined): TreeNode[] {
  if (status === undefined) {
    return [];
  }
  if (status.files.length === 0) {
    return status.indexing ? [{ kind: "message", id: "message:indexing", label: "Indexing…" }] : [];
  }
  const nodes: TreeNode[] = [];
  for (const group of GROUPS) {
    const children = status.files
      .filter((file) => file.status === group.status)
      .map(fileNode)
      .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    if (children.length === 0) {
      continue;
    }
    nodes.push({
      kind: "group",
      id: `group:${group.status}`,
      status: group.status,
      label: group.label,
      description: plural(children.length, "file"),
      expanded: group.expanded,
      children,
    });
  }
  return nodes;
}

/** A notification either carries a full status (use it) or nothing (ask for one). */
export function statusFromNotification(params: unknown): CollectionStatus | undefined {
  return parseCollectionStatus(params);
}
