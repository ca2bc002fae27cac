/** package.json agrees with the code: settings, trust, commands, view, pinned versions. */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { RESTRICTED_KEYS, SERVER_SETTING_KEYS } from "../src/settings";

const ROOT = path.resolve(__dirname, "..", "..", "..");

interface Manifest {
  main: string;
  engines: { vscode: string };
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations: string[] } };
  contributes: {
    configuration: { properties: Record<string, { default?: unknown; scope?: string }> };
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
  };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Manifest;
const extensionSource = fs.readFileSync(path.join(ROOT, "src", "extension.ts"), "utf8");
const viewSource = fs.readFileSync(path.join(ROOT, "src", "collectionView.ts"), "utf8");

describe("package.json", () => {
  it("contributes every setting the server receives, defaulting to null (= pyproject.toml decides)", () => {
    const properties = manifest.contributes.configuration.properties;
    for (const key of SERVER_SETTING_KEYS) {
      const property = properties[`importsense.${key}`];
      assert.ok(property, `importsense.${key} is not contributed`);
      assert.equal(property.default, null, `importsense.${key} must default to null so it is not sent`);
    }
    assert.equal(properties["importsense.interpreter"]?.default, "");
  });

  it("runs limited in untrusted workspaces and restricts exactly the restricted keys", () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, "limited");
    assert.deepEqual(
      [...trust.restrictedConfigurations].sort(),
      [...RESTRICTED_KEYS].map((key) => `importsense.${key}`).sort(),
    );
  });

  it("registers every contributed command in the extension", () => {
    const ids = manifest.contributes.commands.map((command) => command.command);
    for (const id of [
      "importsense.convertWorkspaceToAbsolute",
      "importsense.recollect",
      "importsense.restartServer",
      "importsense.showOutput",
    ]) {
      assert.ok(ids.includes(id), `${id} is not contributed`);
    }
    for (const id of ids) {
      assert.ok(extensionSource.includes(`"${id}"`), `${id} is contributed but not registered in src/extension.ts`);
    }
  });

  it("contributes the Test collection view under the id the code uses", () => {
    const views = Object.values(manifest.contributes.views).flat();
    const view = views.find((candidate) => candidate.id === "importsense.collection");
    assert.ok(view, "view importsense.collection is not contributed");
    assert.ok(viewSource.includes('VIEW_ID = "importsense.collection"'));
  });

  it("loads the bundle and targets the VS Code version its types describe", () => {
    assert.equal(manifest.main, "./out/extension.js");
    const engine = manifest.engines.vscode.replace(/^\^/, "");
    assert.equal(manifest.devDependencies["@types/vscode"], engine);
  });

  it("pins every dependency to an exact version", () => {
    for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      assert.match(version, /^\d+\.\d+\.\d+$/, `${name}@${version} is not pinned`);
    }
  });
});
