import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { evaluateExpression, toPlain } from "@/lib/engine/expressions";

/** `$h` is "x" doubled by `&` to 10^8 characters, cheaply (V8 rope strings). */
const doubled = (tail: string) => {
  const names = ["a", "b", "c", "d", "e", "f", "g", "h"];
  const steps = names.slice(1).map((n, i) => `$${n} := ${Array(10).fill(`$${names[i]}`).join(" & ")};`);
  return `($a := "xxxxxxxxxx"; ${steps.join(" ")} ${tail})`;
};
const site = { nodeType: "transform", nodeId: "t", field: "config.expression" };
const scope = { inputs: { name: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" }, nodes: {}, input: null };

/**
 * Expressions that would block or abort the whole process are refused by the engine's compiler
 * (regex guard, bounded $pad); ordinary ones still work.
 */
describe("expression limits in the engine", () => {
  it.each([
    ["$contains(inputs.name, /^(a+)+$/)", /nested repetition/],
    ["$match(inputs.name, /(\\w+\\s?)*$/)", /nested repetition/],
    ["$replace(inputs.name, /(a)\\1/, 'x')", /backreference/],
    ['$length($pad("", 300000000))', /over the limit/],
    [doubled("$length($h)"), /over the limit/],
    [doubled('$reverse($split($h, ""))'), /over the limit/],
    [doubled("$substring($h, 5, 3)"), /over the limit/],
  ])("refuses %s", async (source, message) => {
    await expect(evaluateExpression(source, scope, site)).rejects.toThrow(message);
  });

  it.each([
    "$contains(inputs.name, /^a+!$/)",
    '$pad("ab", -4, "0")',
    '$pad("ab", 5)',
    '$replace("2024-01-02", /(\\d+)-(\\d+)-(\\d+)/, "$3.$2.$1")',
    "$count([1..1000])",
    '$length("😀é")',
    "inputs.name.$length()",
    '$substring("hello", 1, 3)',
    '$join($split("a,b,c", ","), "-")',
    '$uppercase(inputs.name) & $trim("  x ")',
    '$match("ab12cd3", /\\d+/).match',
    '$replace("a-b", "-", "+")',
    "$contains(inputs.name, 'aaa')",
    "$length()",
    "$length(42)",
    '$split("a1b2", /\\d/, 1)',
    '$substringBefore("a.b", ".") & $substringAfter("a.b", ".") & $lowercase("X")',
  ])("still evaluates %s exactly like JSONata", async (source) => {
    const raw = await jsonata(source)
      .evaluate(scope)
      .then(
        (value: unknown) => ({ value: toPlain(value) }),
        (err: Error) => ({ error: err.message }),
      );
    const guarded = await evaluateExpression(source, scope, site).then(
      (value) => ({ value }),
      (err: Error) => ({ error: err.message }),
    );
    if ("error" in raw) expect((guarded as { error?: string }).error).toContain(raw.error);
    else expect(guarded).toEqual(raw);
  });
});
