/** Editor settings → server settings: only what the user set, trust rules, validation. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildServerSettings, explicitValue, type Inspected, type ServerSettingKey } from "../src/settings";

function inspector(values: Partial<Record<ServerSettingKey, Inspected>>): (key: ServerSettingKey) => Inspected | undefined {
  return (key) => values[key] ?? { defaultValue: null };
}

describe("explicitValue", () => {
  it("takes the most specific scope the user set", () => {
    const inspected = { defaultValue: null, globalValue: 100, workspaceValue: 200, workspaceFolderValue: 300 };
    assert.equal(explicitValue(inspected, { workspaceScopes: true }), 300);
    assert.equal(explicitValue({ ...inspected, workspaceFolderValue: undefined }, { workspaceScopes: true }), 200);
  });
  it("never returns the contributed default, and treats null as unset", () => {
    assert.equal(explicitValue({ defaultValue: 300 }, { workspaceScopes: true }), undefined);
    assert.equal(explicitValue({ defaultValue: 1, globalValue: null, workspaceValue: null }, { workspaceScopes: true }), undefined);
    assert.equal(explicitValue(undefined, { workspaceScopes: true }), undefined);
  });
  it("skips workspace scopes when told to", () => {
    assert.equal(explicitValue({ globalValue: "user", workspaceValue: "ws" }, { workspaceScopes: false }), "user");
    assert.equal(explicitValue({ workspaceValue: "ws" }, { workspaceScopes: false }), undefined);
  });
});

describe("buildServerSettings", () => {
  it("sends only trusted when nothing is set", () => {
    const built = buildServerSettings({ inspect: inspector({}), trusted: true });
    assert.deepEqual(built.settings, { trusted: true });
    assert.deepEqual(built.problems, []);
  });

  it("passes every key the user set, from the right scope", () => {
    const built = buildServerSettings({
      inspect: inspector({
        debounce: { defaultValue: null, globalValue: 120 },
        collection: { defaultValue: null, workspaceValue: "onOpen" },
        select: { defaultValue: null, workspaceFolderValue: ["unresolved-module", " missing-name "] },
        ignore: { defaultValue: null, globalValue: [] },
        severity: { defaultValue: null, workspaceValue: { "missing-name": "warning", "patch-target": "info" } },
        roots: { defaultValue: null, workspaceValue: ["src", "${workspaceFolder}/lib"] },
      }),
      trusted: true,
      python: "/venv/bin/python",
      expand: (text) => text.replace("${workspaceFolder}", "/ws"),
    });
    assert.deepEqual(built.settings, {
      trusted: true,
      python: "/venv/bin/python",
      debounce: 120,
      collection: "onOpen",
      select: ["unresolved-module", "missing-name"],
      ignore: [],
      severity: { "missing-name": "warning", "patch-target": "information" },
      roots: ["src", "/ws/lib"],
    });
    assert.deepEqual(built.problems, []);
  });

  it("forces collection off and sends trusted false in an untrusted workspace", () => {
    const withMode = buildServerSettings({
      inspect: inspector({ collection: { globalValue: "onOpen" } }),
      trusted: false,
    });
    assert.deepEqual(withMode.settings, { trusted: false, collection: "off" });
    const unset = buildServerSettings({ inspect: inspector({}), trusted: false });
    assert.deepEqual(unset.settings, { trusted: false, collection: "off" });
  });

  it("ignores workspace-level roots when untrusted but keeps user-level ones and unrestricted workspace values", () => {
    const built = buildServerSettings({
      inspect: inspector({
        roots: { globalValue: ["/home/me/shared"], workspaceValue: ["../../evil"] },
        select: { workspaceValue: ["missing-name"] },
      }),
      trusted: false,
    });
    assert.deepEqual(built.settings, { trusted: false, collection: "off", roots: ["/home/me/shared"], select: ["missing-name"] });
    const trusted = buildServerSettings({
      inspect: inspector({ roots: { globalValue: ["/home/me/shared"], workspaceValue: ["../../evil"] } }),
      trusted: true,
    });
    assert.deepEqual(trusted.settings.roots, ["../../evil"]);
  });

  it("leaves python out when it is not given or blank", () => {
    assert.equal("python" in buildServerSettings({ inspect: inspector({}), trusted: true }).settings, false);
    assert.equal("python" in buildServerSettings({ inspect: inspector({}), trusted: true, python: " " }).settings, false);
  });

  it("rounds debounce and drops invalid values with a problem each", () => {
    assert.equal(buildServerSettings({ inspect: inspector({ debounce: { globalValue: 99.6 } }), trusted: true }).settings.debounce, 100);
    assert.equal(buildServerSettings({ inspect: inspector({ debounce: { globalValue: 0 } }), trusted: true }).settings.debounce, 0);
    const built = buildServerSettings({
      inspect: inspector({
        debounce: { globalValue: -5 },
        collection: { globalValue: "always" },
        select: { globalValue: "unresolved-module" },
        severity: { globalValue: { "missing-name": "fatal", "": "error", "ok-rule": "HINT" } },
        ignore: { globalValue: ["a", 3, "", "b"] },
      }),
      trusted: true,
    });
    assert.deepEqual(built.settings, { trusted: true, severity: { "ok-rule": "hint" }, ignore: ["a", "b"] });
    assert.equal(built.problems.length, 7, built.problems.join("\n"));
    assert.ok(built.problems.some((problem) => problem.includes("importsense.debounce")));
    assert.ok(built.problems.some((problem) => problem.includes("importsense.collection")));
    assert.ok(built.problems.some((problem) => problem.includes("importsense.select must be a list")));
    assert.ok(built.problems.some((problem) => problem.includes('"missing-name": "fatal"')));
  });

  it("drops a severity that is not an object", () => {
    const built = buildServerSettings({ inspect: inspector({ severity: { globalValue: ["error"] } }), trusted: true });
    assert.deepEqual(built.settings, { trusted: true });
    assert.equal(built.problems.length, 1);
  });
});
