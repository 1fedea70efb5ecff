import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { boundedPad, MAX_PAD_WIDTH } from "./bounded-pad";

describe("boundedPad", () => {
  const cases: [string, number, string | undefined][] = [
    ["foo", 5, undefined],
    ["foo", -5, undefined],
    ["foo", 5, "#"],
    ["foo", -8, "ab"],
    ["foo", 8, "😀x"],
    ["😀😀", 5, "é"],
    ["foo", 2, undefined],
    ["", 0, undefined],
    ["foo", 5.9, "-"],
  ];
  it.each(cases)("matches JSONata's $pad(%j, %d, %j)", async (str, width, char) => {
    const builtin = await jsonata("$pad(s, w, c)").evaluate({ s: str, w: width, c: char });
    expect(boundedPad(str, width, char)).toBe(builtin);
  });

  it("refuses widths over the limit instead of exhausting memory", async () => {
    expect(() => boundedPad("", MAX_PAD_WIDTH + 1)).toThrow(/over the limit/);
    expect(() => boundedPad("", -3e8)).toThrow(/over the limit/);
    const expr = jsonata('$length($pad("", 300000000))');
    expr.registerFunction("pad", boundedPad, "<s-ns?:s>");
    await expect(expr.evaluate({})).rejects.toThrow(/over the limit/);
  });
});
