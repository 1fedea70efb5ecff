import { describe, expect, it } from "vitest";
import { evaluateExpression } from "@/lib/engine/expressions";
import { validateWorkflow } from "./validate";

const withNode = (node: Record<string, unknown>) => ({
  version: 1,
  name: "x",
  nodes: [{ id: "start", type: "trigger", config: {} }, node],
  edges: [{ source: "start", target: (node as { id: string }).id }],
});

describe("expressions are checked at save", () => {
  it.each([
    ["transform", { expression: "1 +" }, "expression"],
    ["transform", { expression: "$$$(" }, "expression"],
    ["filter", { items: "input.items[score >", where: "true" }, "items"],
    ["condition", { expression: "{{ 1 + }}" }, "expression"],
    ["output", { value: "(" }, "value"],
    ["http", { method: "GET", url: "https://h/{{ inputs.id + }}" }, "url"],
    ["http", { method: "GET", url: "https://h/", headers: { a: "{{ ) }}" } }, "headers"],
    ["llm", { model: "m", prompt: "Hi {{ $$$( }}" }, "prompt"],
  ])("%s %j is refused at config.%s", (type, config, key) => {
    const result = validateWorkflow(withNode({ id: "n", type, config }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues).toContainEqual(
        expect.objectContaining({ path: `nodes[1].config.${key}`, code: "invalid_expression" }),
      );
    }
  });

  it.each([
    ["transform", { expression: "input.items[score > 3]" }],
    ["transform", { expression: "{{ input.items[score > 3] }}" }],
    ["condition", { expression: "{{ inputs.go }}" }],
    ["http", { method: "GET", url: "https://h/{{ inputs.id }}" }],
    ["llm", { model: "m", prompt: "literal {{ unclosed" }],
  ])("%s %j is accepted", (type, config) => {
    expect(validateWorkflow(withNode({ id: "n", type, config })).ok).toBe(true);
  });

  it("evaluates an expression written as one {{ … }} like the bare expression", async () => {
    const scope = { inputs: { a: 2 }, nodes: {}, input: { items: [{ score: 4 }, { score: 1 }] } };
    const site = { nodeType: "transform", nodeId: "t", field: "config.expression" };
    expect(await evaluateExpression("{{ input.items[score > 3] }}", scope, site)).toEqual({ score: 4 });
    expect(await evaluateExpression("{{ inputs.a * 2 }}", scope, site)).toBe(4);
  });
});
