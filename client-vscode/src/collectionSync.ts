/** Keeps the Test collection view, its badge and the status bar in step with `importsense/collectionStatus`. */

import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import {
  COLLECTION_STATUS_REQUEST,
  type CollectionStatus,
  parseCollectionStatus,
  plural,
  type ServerState,
  statusFromNotification,
} from "./collectionModel";
import { CollectionStatusBar, CollectionTreeProvider, VIEW_ID } from "./collectionView";
import { errorMessage } from "./util";

const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5000;
const METHOD_NOT_FOUND = -32601;

export class CollectionSync implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private status: CollectionStatus | undefined;
  private current: ServerState = { kind: "starting" };
  private pollTimer: NodeJS.Timeout | undefined;
  private pollDelay = FIRST_POLL_MS;
  private refreshing = false;
  private refreshAgain = false;
  private unsupported = false;
  private readonly tree = new CollectionTreeProvider();
  private readonly view: vscode.TreeView<unknown>;
  private readonly statusBar = new CollectionStatusBar();

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    this.show({ kind: "starting" });
  }

  get state(): ServerState {
    return this.current;
  }

  /** Redraw the status bar (e.g. after a trust change, which alters its tooltip). */
  show(state: ServerState = this.current): void {
    this.current = state;
    this.statusBar.show(state, vscode.workspace.isTrusted);
  }

  /** Follow a freshly started client: ask for the status now. */
  attach(client: LanguageClient): Promise<void> {
    this.client = client;
    this.unsupported = false;
    this.pollDelay = FIRST_POLL_MS;
    this.show({ kind: "running", status: this.status });
    return this.refresh();
  }

  /** Forget the client and everything it reported. */
  detach(state: ServerState): void {
    this.client = undefined;
    if (this.pollTimer !== undefined) {
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
    }
    this.status = undefined;
    this.tree.update(undefined);
    this.view.badge = undefined;
    this.show(state);
  }

  /** `importsense/collectionChanged`: use the status it carries, else ask for one. */
  onChanged(client: LanguageClient, params: unknown): void {
    if (client !== this.client) {
      return;
    }
    const status = statusFromNotification(params);
    if (status !== undefined) {
      this.apply(status);
    } else {
      void this.refresh();
    }
  }

  /** Ask the server for the collection status; coalesces overlapping calls and polls while indexing. */
  async refresh(): Promise<void> {
    const client = this.client;
    if (client === undefined || !client.isRunning() || this.unsupported) {
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
        this.apply(status);
      }
    } catch (error) {
      if ((error as { code?: unknown }).code === METHOD_NOT_FOUND) {
        this.unsupported = true;
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

  private apply(status: CollectionStatus): void {
    this.status = status;
    this.tree.update(status);
    const errors = status.summary.errors;
    this.view.badge =
      errors > 0 ? { value: errors, tooltip: `${plural(errors, "test file")} ${errors === 1 ? "fails" : "fail"} to collect` } : undefined;
    this.show({ kind: "running", status });
    if (status.indexing) {
      this.schedulePoll();
    } else {
      this.pollDelay = FIRST_POLL_MS;
    }
  }

  /** The client reached the running state again (e.g. after the language client's own restart). */
  resumed(): void {
    if (this.current.kind !== "running") {
      this.show({ kind: "running", status: this.status });
      void this.refresh();
    }
  }

  dispose(): void {
    this.detach({ kind: "stopped" });
    this.tree.dispose();
    this.view.dispose();
    this.statusBar.dispose();
  }
}
