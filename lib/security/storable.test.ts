import { describe, expect, it } from "vitest";
import { findUnstorableText, toStorableString } from "./storable";

describe("findUnstorableText", () => {
  it.each([
    [{ a: "fine", b: ["😀", { c: "ok" }] }, undefined],
    [{ inputs: { n: [1, "a\u0000b"] } }, "inputs.n[1]"],
    [["\ud800"], "[0]"],
    [{ x: "lone \udfff" }, "x"],
    [{ "k\u0000": 1 }, "k\u0000"],
    ["\u0000", ""],
  ])("%j → %s", (value, path) => {
    expect(findUnstorableText(value)?.path).toBe(path);
  });

  it("handles nesting deeper than the call stack", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}"\\u0000"${"]".repeat(100_000)}`);
    expect(findUnstorableText(deep)?.path).toBe("[0]".repeat(100_000));
  });

  it("repairs strings", () => {
    expect(toStorableString("a\u0000b\ud800c😀")).toBe("a\ufffdb\ufffdc😀");
    expect(toStorableString("same")).toBe("same");
  });
});
