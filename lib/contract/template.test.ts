import { describe, expect, it } from "vitest";
import { parseTemplate, scanTemplate, unwrapExpression } from "./template";

describe("unwrapExpression", () => {
  it.each([
    ["input.x", "input.x"],
    ["{{ input.x }}", " input.x "],
    ["  {{input.items[score > 1]}}  ", "input.items[score > 1]"],
    ['{{ {"a": {"b": 1}} }}', ' {"a": {"b": 1}} '],
    ['{{ "}}" & "{{" }}', ' "}}" & "{{" '],
    ["{{ a }} & {{ b }}", "{{ a }} & {{ b }}"],
    ["x {{ a }}", "x {{ a }}"],
    ["{{", "{{"],
  ])("%j → %j", (source, expected) => {
    expect(unwrapExpression(source)).toBe(expected);
  });
});

describe("scanTemplate / parseTemplate", () => {
  it("splits text and expressions, braces inside strings and objects included", () => {
    expect(scanTemplate('Hi {{ name }}, {{ {"a": "}}"} }}!')).toEqual([
      "Hi ",
      { expr: " name " },
      ", ",
      { expr: ' {"a": "}}"} ' },
      "!",
    ]);
    expect(scanTemplate("no {{ end")).toEqual(["no {{ end"]);
    expect(parseTemplate(" {{ x }} ")).toEqual({ whole: " x " });
    expect(parseTemplate("{{ x }}{{ y }}")).toEqual([{ expr: " x " }, { expr: " y " }]);
  });
});
