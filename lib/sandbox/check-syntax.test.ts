import { describe, expect, it } from "vitest";
import { checkCodeSyntax, wrapCodeSource } from "./check-syntax";

describe("checkCodeSyntax", () => {
  it.each([
    ["return 1", null],
    ["return input.a + inputs.b", null],
    ["const r = await Promise.resolve(nodes.fetch);\nreturn r", null],
    ["for (const x of item) console.log(x, index)\nreturn null", null],
    ["", null],
    ["// only a comment", null],
    ["return {a: 1, b: [1, 2, 3]}", null],
  ])("%j parses", (source, expected) => {
    expect(checkCodeSyntax(source)).toEqual(expected);
  });

  it.each([
    ["let x = ;", 1, 9],
    ["const a = 1;\nconst b = 2;\nreturn a +* b", 3, 11],
    ["if (x) {\n  return 1\n", 3, 1],
    ["return (1", 1, 10],
    ["  let input = 1", 1, 7],
    ["const a = 1\n\nfoo bar", 3, 5],
    ["return `unterminated", 1, 9],
  ])("%j fails at line %i, column %i", (source, line, column) => {
    const error = checkCodeSyntax(source);
    expect(error).not.toBeNull();
    expect(error).toMatchObject({ line, column });
    expect(error?.message).not.toMatch(/\(\d+:\d+\)$/);
  });

  it.each([
    ["}); globalThis.escaped = 1; (function () {", 1, 1],
    ["return 1 }\n)(); (async function () {", 1, 10],
  ])("%j cannot close the wrapper early", (source, line, column) => {
    expect(checkCodeSyntax(source)).toMatchObject({ line, column });
  });

  it("wraps the source on its own lines", () => {
    expect(wrapCodeSource("return 1").split("\n")).toEqual([
      "(async function (input, inputs, nodes, item, index) {",
      "return 1",
      "})",
    ]);
  });
});
