import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { evaluatePreview, expressionIssues, expressionProblem, previewScope } from "./expressions";
import { fromDefinition } from "./types";
import { validationOf } from "./validation-store";

const def = (nodes: WorkflowDefinition["nodes"], edges: WorkflowDefinition["edges"] = []) =>
  fromDefinition({ version: 1, name: "t", nodes, edges });

describe("expressionProblem", () => {
  it.each([
    ["input.items[score > 1]", false],
    ["{{ input.items[score > 1] }}", false],
    ["", false],
    ["input.items[score >", true],
    ["{{ input.items[score > }}", true],
    ["$count(input.items", true],
  ])("%j has a problem: %s", (source, bad) => {
    const problem = expressionProblem(source);
    expect(problem !== undefined).toBe(bad);
    if (bad) expect(problem).toMatch(/^syntax error: /);
  });
});

describe("expression issues in the editor's validation", () => {
  const doc = def([
    { id: "start", type: "trigger", config: {} },
    { id: "pick", type: "filter", config: { items: "input.items", where: "input.items[score >" } },
    { id: "wrapped", type: "transform", config: { expression: "{{ input.total * 2 }}" } },
    { id: "route", type: "condition", config: { expression: "{{ input.total > }}" } },
  ]);

  it("flags the broken fields at their paths, not the wrapped valid one", () => {
    expect(expressionIssues(doc).map((i) => i.path)).toEqual([
      "nodes[1].config.where",
      "nodes[3].config.expression",
    ]);
  });

  it("puts them in the Problems list and beside the field (grouped by node), before any save", () => {
    const state = validationOf(doc);
    expect(state.issues.some((i) => i.path === "nodes[1].config.where")).toBe(true);
    expect(state.grouped.byNode.pick?.["config.where"]).toMatch(/syntax error|not a valid expression/);
    expect(state.grouped.byNode.wrapped).toBeUndefined();
  });
});

describe("previews against the last run", () => {
  const doc = def(
    [
      { id: "start", type: "trigger", config: {} },
      { id: "a", type: "transform", config: { expression: "1" } },
      { id: "b", type: "transform", config: { expression: "2" } },
      { id: "join", type: "transform", config: { expression: "input.a + input.b" } },
    ],
    [
      { source: "start", target: "a" },
      { source: "start", target: "b" },
      { source: "a", target: "join" },
      { source: "b", target: "join" },
    ],
  );

  it("has no scope before any run", () => {
    expect(previewScope(doc, "join", { inputs: {}, nodes: {} })).toBeUndefined();
  });

  it("uses the node's recorded input, else its upstream outputs", () => {
    const ran = { inputs: { n: 3 }, nodes: { a: { output: 1 }, b: { output: 2 } } };
    expect(previewScope(doc, "join", ran)).toEqual({
      inputs: { n: 3 },
      nodes: { a: 1, b: 2 },
      input: { a: 1, b: 2 },
    });
    expect(
      previewScope(doc, "a", { inputs: {}, nodes: { a: { input: { z: 1 }, output: 1 } } })?.input,
    ).toEqual({ z: 1 });
  });

  it("evaluates as the engine does, wrapped or not, and reports errors in words", async () => {
    const scope = { inputs: { n: 3 }, nodes: { a: 1 }, input: { items: [{ score: 1 }, { score: 5 }] } };
    expect(await evaluatePreview("input.items[score > 2].score", scope)).toEqual({ ok: true, value: 5 });
    expect(await evaluatePreview("{{ inputs.n * nodes.a }}", scope)).toEqual({ ok: true, value: 3 });
    expect(await evaluatePreview("$item.score", scope, { item: { score: 9 } })).toEqual({
      ok: true,
      value: 9,
    });
    const broken = await evaluatePreview("input.items[score >", scope);
    expect(broken.ok).toBe(false);
    const failing = await evaluatePreview('$error("nope")', scope);
    expect(failing).toEqual({ ok: false, error: expect.stringContaining("nope") });
  });
});
