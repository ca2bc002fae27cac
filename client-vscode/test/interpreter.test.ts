/** Interpreter choice: setting, then the Python extension, then python3; variable expansion; select action. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chooseInterpreter,
  defaultPython,
  type ExpansionContext,
  expandVariables,
  pythonExtensionExecutable,
  selectInterpreterAction,
} from "../src/interpreter";

const expansion: ExpansionContext = {
  workspaceFolder: "/work/project",
  userHome: "/home/ada",
  env: { VIRTUAL_ENV: "/venvs/app" },
};

describe("chooseInterpreter", () => {
  it("uses the setting first, even when the Python extension has an interpreter", () => {
    const choice = chooseInterpreter({
      setting: "/opt/py/bin/python",
      pythonExtension: { environmentPath: "/usr/bin/python3.12", executable: "/usr/bin/python3.12" },
      platform: "linux",
      expansion,
    });
    assert.deepEqual(choice, { command: "/opt/py/bin/python", source: "setting" });
  });

  it("expands variables in the setting", () => {
    const choice = chooseInterpreter({ setting: "${workspaceFolder}/.venv/bin/python", platform: "linux", expansion });
    assert.deepEqual(choice, { command: "/work/project/.venv/bin/python", source: "setting" });
  });

  it("treats a blank setting as unset and asks the Python extension", () => {
    const choice = chooseInterpreter({
      setting: "   ",
      pythonExtension: { environmentPath: "/venvs/app", executable: "/venvs/app/bin/python" },
      platform: "linux",
      expansion,
    });
    assert.deepEqual(choice, { command: "/venvs/app/bin/python", source: "python-extension" });
  });

  it("uses the environment path when the Python extension could not resolve it but it is absolute", () => {
    const choice = chooseInterpreter({
      pythonExtension: { environmentPath: "/venvs/app/bin/python" },
      platform: "linux",
      expansion,
    });
    assert.deepEqual(choice, { command: "/venvs/app/bin/python", source: "python-extension" });
  });

  it("ignores the Python extension's unresolved bare default and falls back to python3", () => {
    const choice = chooseInterpreter({ pythonExtension: { environmentPath: "python" }, platform: "linux", expansion });
    assert.deepEqual(choice, { command: "python3", source: "default" });
  });

  it("falls back to python3 without the Python extension, python on Windows", () => {
    assert.deepEqual(chooseInterpreter({ platform: "linux", expansion }), { command: "python3", source: "default" });
    assert.deepEqual(chooseInterpreter({ platform: "darwin", expansion }), { command: "python3", source: "default" });
    assert.deepEqual(chooseInterpreter({ platform: "win32", expansion }), { command: "python", source: "default" });
  });
});

describe("pythonExtensionExecutable", () => {
  it("prefers the resolved executable over the environment folder", () => {
    assert.equal(pythonExtensionExecutable({ environmentPath: "/venvs/app", executable: "/venvs/app/bin/python" }), "/venvs/app/bin/python");
  });
  it("accepts Windows absolute paths", () => {
    assert.equal(pythonExtensionExecutable({ environmentPath: "C:\\venv\\Scripts\\python.exe" }), "C:\\venv\\Scripts\\python.exe");
  });
  it("returns undefined for nothing, blanks and relative names", () => {
    assert.equal(pythonExtensionExecutable(undefined), undefined);
    assert.equal(pythonExtensionExecutable({}), undefined);
    assert.equal(pythonExtensionExecutable({ environmentPath: "", executable: "  " }), undefined);
    assert.equal(pythonExtensionExecutable({ environmentPath: "venv/bin/python" }), undefined);
  });
});

describe("expandVariables", () => {
  it("expands workspaceFolder, userHome, env and a leading tilde", () => {
    assert.equal(expandVariables("${workspaceFolder}/a", expansion), "/work/project/a");
    assert.equal(expandVariables("${userHome}/py", expansion), "/home/ada/py");
    assert.equal(expandVariables("${env:VIRTUAL_ENV}/bin/python", expansion), "/venvs/app/bin/python");
    assert.equal(expandVariables("~/venv/bin/python", expansion), "/home/ada/venv/bin/python");
    assert.equal(expandVariables("~", expansion), "/home/ada");
  });
  it("leaves unknown variables, a missing folder and inner tildes alone; unset env is empty", () => {
    assert.equal(expandVariables("${config:python.path}", expansion), "${config:python.path}");
    assert.equal(expandVariables("${workspaceFolder}/x", { ...expansion, workspaceFolder: undefined }), "${workspaceFolder}/x");
    assert.equal(expandVariables("/opt/~py/python", expansion), "/opt/~py/python");
    assert.equal(expandVariables("~bob/python", expansion), "~bob/python");
    assert.equal(expandVariables("${env:NOPE}/python", expansion), "/python");
  });
});

describe("defaultPython and selectInterpreterAction", () => {
  it("names python3 except on Windows", () => {
    assert.equal(defaultPython("linux"), "python3");
    assert.equal(defaultPython("win32"), "python");
  });
  it("edits the setting when the setting is in force, whatever extensions are installed", () => {
    assert.equal(selectInterpreterAction("setting", true), "edit-setting");
    assert.equal(selectInterpreterAction("setting", false), "edit-setting");
  });
  it("opens the Python extension's picker when it is installed, else a file dialog", () => {
    assert.equal(selectInterpreterAction("python-extension", true), "python-extension-picker");
    assert.equal(selectInterpreterAction("default", true), "python-extension-picker");
    assert.equal(selectInterpreterAction("default", false), "browse");
  });
});
