/** Helpers: command result messages and the timeout race. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorMessage, resultMessage, withTimeout } from "../src/util";

describe("resultMessage", () => {
  it("shows a non-blank string or a {message} string", () => {
    assert.equal(resultMessage("converted 3 files"), "converted 3 files");
    assert.equal(resultMessage({ message: "done", changed: 2 }), "done");
  });
  it("shows nothing for blanks, nulls, numbers and other objects", () => {
    for (const value of ["", "  ", null, undefined, 3, [], {}, { message: 4 }, { message: " " }]) {
      assert.equal(resultMessage(value), undefined, JSON.stringify(value));
    }
  });
});

describe("withTimeout", () => {
  it("passes a prompt value through", async () => {
    assert.equal(await withTimeout(Promise.resolve(7), 1000), 7);
  });
  it("gives undefined when the promise is too slow", async () => {
    const slow = new Promise<number>((resolve) => setTimeout(() => resolve(1), 500));
    assert.equal(await withTimeout(slow, 20), undefined);
  });
  it("passes a rejection through as an Error", async () => {
    await assert.rejects(withTimeout(Promise.reject(new Error("boom")), 1000), /boom/);
    await assert.rejects(withTimeout(Promise.reject(new Error("plain")), 1000), Error);
  });
});

describe("errorMessage", () => {
  it("reads Errors and stringifies the rest", () => {
    assert.equal(errorMessage(new TypeError("bad")), "bad");
    assert.equal(errorMessage("text"), "text");
    assert.equal(errorMessage(42), "42");
  });
});
