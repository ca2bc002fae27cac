/** Collection status → tree nodes and status-bar text. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildTree,
  type CollectionStatus,
  type FileNode,
  type GroupNode,
  parseCollectionStatus,
  plural,
  statusFromNotification,
  statusText,
  statusTooltip,
} from "../src/collectionModel";

const answer = {
  files: [
    { uri: "file:///ws/tests/test_b.py", path: "tests/test_b.py", status: "ok", tests: 3, error: null },
    {
      uri: "file:///ws/tests/test_broken.py",
      path: "tests/test_broken.py",
      status: "error",
      tests: 0,
      error: { type: "ModuleNotFoundError", message: "No module named 'app.gone'\nsecond line", line: 4 },
    },
    { uri: "file:///ws/tests/test_a.py", path: "tests/test_a.py", status: "ok", tests: 1, error: null },
    { uri: "file:///ws/tests/test_s.py", path: "tests/test_s.py", status: "static", tests: 2, error: null },
    { uri: "file:///ws/tests/test_p.py", path: "tests/test_p.py", status: "pending", tests: 0, error: null },
  ],
  summary: { files: 5, tests: 6, errors: 1 },
  indexing: false,
};

function running(status: CollectionStatus | undefined) {
  return { kind: "running", status } as const;
}

function parsed(value: unknown): CollectionStatus {
  const status = parseCollectionStatus(value);
  assert.ok(status, "expected a valid status");
  return status;
}

describe("parseCollectionStatus", () => {
  it("keeps a well-formed answer as it is", () => {
    const status = parsed(answer);
    assert.equal(status.files.length, 5);
    assert.deepEqual(status.summary, { files: 5, tests: 6, errors: 1 });
    assert.equal(status.indexing, false);
    assert.deepEqual(status.files[1]?.error, answer.files[1]?.error);
  });

  it("rejects answers that are not objects with a files list", () => {
    for (const value of [null, undefined, 3, "x", [], {}, { files: "nope" }]) {
      assert.equal(parseCollectionStatus(value), undefined, JSON.stringify(value));
    }
  });

  it("drops malformed files and repairs odd fields", () => {
    const status = parsed({
      files: [
        null,
        { path: "no-uri.py" },
        { uri: "file:///ws/t.py", status: "weird", tests: -2 },
        { uri: "file:///ws/e.py", path: "e.py", status: "error", tests: 1.7, error: "not an object" },
        { uri: "file:///ws/o.py", path: "o.py", status: "ok", tests: 2, error: { type: "X", message: "y", line: 3 } },
      ],
      indexing: "yes",
    });
    assert.equal(status.files.length, 3);
    assert.deepEqual(status.files[0], { uri: "file:///ws/t.py", path: "file:///ws/t.py", status: "pending", tests: 0, error: null });
    assert.deepEqual(status.files[1]?.error, { type: "Error", message: "", line: 1 });
    assert.equal(status.files[1]?.tests, 1);
    assert.equal(status.files[2]?.error, null, "an error on a file that collected is ignored");
    assert.equal(status.indexing, false, "only a real true means indexing");
    assert.deepEqual(status.summary, { files: 3, tests: 3, errors: 1 }, "summary is computed when missing");
  });

  it("clamps a bad error line to 1", () => {
    const status = parsed({ files: [{ uri: "u", path: "p", status: "error", tests: 0, error: { type: "E", message: "m", line: 0 } }] });
    assert.equal(status.files[0]?.error?.line, 1);
  });

  it("reads a notification that carries a status, and not one without", () => {
    assert.deepEqual(statusFromNotification(answer), parsed(answer));
    assert.equal(statusFromNotification(undefined), undefined);
    assert.equal(statusFromNotification(null), undefined);
    assert.equal(statusFromNotification({}), undefined);
  });
});

describe("statusText", () => {
  it("counts files and failures with correct plurals", () => {
    assert.equal(statusText(running(parsed(answer))), "importsense: 5 test files, 1 fails to collect");
    const many = { files: [], summary: { files: 412, tests: 9000, errors: 17 }, indexing: false };
    assert.equal(statusText(running(many)), "importsense: 412 test files, 17 fail to collect");
    const one = { files: [], summary: { files: 1, tests: 1, errors: 0 }, indexing: false };
    assert.equal(statusText(running(one)), "importsense: 1 test file, 0 fail to collect");
  });

  it("says indexing until an answer with indexing false arrives", () => {
    assert.equal(statusText(running(undefined)), "importsense: indexing…");
    assert.equal(statusText(running({ ...parsed(answer), indexing: true })), "importsense: indexing…");
  });

  it("says not collected when every file is only counted statically", () => {
    const status = parsed({ files: [{ uri: "u", path: "p", status: "static", tests: 4, error: null }], summary: { files: 1, tests: 4, errors: 0 } });
    assert.equal(statusText(running(status)), "importsense: 1 test file, not collected");
  });

  it("shows starting and not running", () => {
    assert.equal(statusText({ kind: "starting" }), "importsense: starting…");
    assert.equal(statusText({ kind: "stopped", reason: "x" }), "importsense: not running");
  });

  it("has no check marks or other symbols", () => {
    assert.doesNotMatch(statusText(running(parsed(answer))), /[✓✔✗$]/u);
  });
});

describe("statusTooltip", () => {
  it("gives the totals, and says collection is off when untrusted", () => {
    const trusted = statusTooltip(running(parsed(answer)), true);
    assert.match(trusted, /5 test files with 6 tests; 1 fails to collect\./);
    assert.doesNotMatch(trusted, /Untrusted/);
    assert.match(statusTooltip(running(parsed(answer)), false), /Untrusted workspace: pytest collection is off/);
  });
  it("gives the reason when stopped", () => {
    assert.match(statusTooltip({ kind: "stopped", reason: "importsense is not installed" }, true), /not running: importsense is not installed/);
  });
});

describe("buildTree", () => {
  it("groups failures first, then collecting, collected, static; files sorted by path", () => {
    const tree = buildTree(parsed(answer));
    assert.deepEqual(
      tree.map((node) => [node.kind, node.label, node.kind === "group" ? node.description : ""]),
      [
        ["group", "Fail to collect", "1 file"],
        ["group", "Collecting", "1 file"],
        ["group", "Collected", "2 files"],
        ["group", "Not collected (counted statically)", "1 file"],
      ],
    );
    const collected = tree[2] as GroupNode;
    assert.deepEqual(collected.children.map((file) => file.label), ["tests/test_a.py", "tests/test_b.py"]);
    assert.deepEqual(collected.children.map((file) => file.description), ["1 test", "3 tests"]);
    assert.equal((tree[0] as GroupNode).expanded, true);
    assert.equal(collected.expanded, false);
  });

  it("opens a failing file at its error line, others at line 1", () => {
    const tree = buildTree(parsed(answer));
    const failing = (tree[0] as GroupNode).children[0] as FileNode;
    assert.equal(failing.uri, "file:///ws/tests/test_broken.py");
    assert.equal(failing.line, 4);
    assert.equal(failing.description, "ModuleNotFoundError: No module named 'app.gone'");
    assert.match(failing.tooltip, /^tests\/test_broken.py:4\nModuleNotFoundError: No module named 'app.gone'\nsecond line$/);
    const ok = (tree[2] as GroupNode).children[0] as FileNode;
    assert.equal(ok.line, 1);
  });

  it("shortens a long error message to one line", () => {
    const message = "x".repeat(300);
    const tree = buildTree(parsed({ files: [{ uri: "u", path: "p", status: "error", tests: 0, error: { type: "E", message, line: 2 } }] }));
    const node = (tree[0] as GroupNode).children[0] as FileNode;
    assert.ok(node.description.length <= 104, node.description);
    assert.ok(node.description.endsWith("…"));
  });

  it("leaves out empty groups", () => {
    const tree = buildTree(parsed({ files: [answer.files[0]], summary: { files: 1, tests: 3, errors: 0 } }));
    assert.deepEqual(tree.map((node) => node.id), ["group:ok"]);
  });

  it("shows Indexing while indexing with no files, and nothing once there are none", () => {
    assert.deepEqual(buildTree(parsed({ files: [], indexing: true })), [{ kind: "message", id: "message:indexing", label: "Indexing…" }]);
    assert.deepEqual(buildTree(parsed({ files: [], indexing: false })), []);
    assert.deepEqual(buildTree(undefined), []);
  });

  it("gives nodes stable, unique ids", () => {
    const tree = buildTree(parsed(answer));
    const ids = tree.flatMap((node) => (node.kind === "group" ? [node.id, ...node.children.map((child) => child.id)] : [node.id]));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(buildTree(parsed(answer)), tree);
  });
});

describe("plural", () => {
  it("pluralises 0 and many, not 1", () => {
    assert.equal(plural(0, "test"), "0 tests");
    assert.equal(plural(1, "test"), "1 test");
    assert.equal(plural(2, "test file"), "2 test files");
    assert.equal(plural(2, "child", "children"), "2 children");
  });
});
