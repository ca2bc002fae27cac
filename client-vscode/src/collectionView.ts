/** The "Test collection" tree view and the status-bar item, drawn from collectionModel. */

import * as vscode from "vscode";
import {
  buildTree,
  type CollectionStatus,
  type FileNode,
  type ServerState,
  statusText,
  statusTooltip,
  type TreeNode,
} from "./collectionModel";

export const VIEW_ID = "importsense.collection";

const ICONS: Readonly<Record<string, vscode.ThemeIcon>> = {
  error: new vscode.ThemeIcon("error", new vscode.ThemeColor("testing.iconFailed")),
  ok: new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed")),
  static: new vscode.ThemeIcon("circle-outline"),
  pending: new vscode.ThemeIcon("loading~spin"),
};

/** Command that opens a file node at its line (the failing line for a collection error). */
export function openCommand(node: FileNode): vscode.Command {
  const line = Math.max(node.line - 1, 0);
  return {
    title: "Open",
    command: "vscode.open",
    arguments: [vscode.Uri.parse(node.uri), { selection: new vscode.Range(line, 0, line, 0), preview: true }],
  };
}

export class CollectionTreeProvider implements vscode.TreeDataProvider<TreeNode> {
  private nodes: TreeNode[] = [];
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  update(status: CollectionStatus | undefined): void {
    this.nodes = buildTree(status);
    this.changed.fire(undefined);
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (element === undefined) {
      return this.nodes;
    }
    return element.kind === "group" ? [...element.children] : [];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === "message") {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon("loading~spin");
      return item;
    }
    if (node.kind === "group") {
      const item = new vscode.TreeItem(
        node.label,
        node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
      );
      item.id = node.id;
      item.description = node.description;
      item.iconPath = ICONS[node.status];
      item.contextValue = `group-${node.status}`;
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = ICONS[node.status];
    item.resourceUri = vscode.Uri.parse(node.uri);
    item.contextValue = `file-${node.status}`;
    item.command = openCommand(node);
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The status-bar item: starting, indexing, counts, or not running. */
export class CollectionStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem("importsense.status", vscode.StatusBarAlignment.Left, 0);
    this.item.name = "importsense";
  }

  show(state: ServerState, trusted: boolean): void {
    this.item.text = statusText(state);
    this.item.tooltip = statusTooltip(state, trusted);
    const failing = state.kind === "running" && (state.status?.summary.errors ?? 0) > 0;
    this.item.backgroundColor =
      state.kind === "stopped"
        ? new vscode.ThemeColor("statusBarItem.errorBackground")
        : failing
          ? new vscode.ThemeColor("statusBarItem.warningBackground")
          : undefined;
    this.item.command = state.kind === "stopped" ? "importsense.showOutput" : `${VIEW_ID}.focus`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
