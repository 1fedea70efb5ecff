import { describe, expect, it, vi } from "vitest";

// One line added to the list: the registry is rebuilt from the real modules plus the toy type.
vi.mock("@/lib/nodes/registry", async (importOriginal) => {
  const real = await importOriginal<typeof import("./registry")>();
  const { toyNode } = await import("./testing/toy-node");
  return real.buildRegistry([...real.nodeModules, toyNode]);
});

const { NODE_TYPES, nodeTypes, handlesOf } = await import("@/lib/nodes/registry");
const { configFieldsOf } = await import("@/lib/editor/config-fields");
const { validateWorkflow } = await import("@/lib/workflow/validate");
const { runWorkflow } = await import("@/lib/engine/run-workflow");
const { createTestPorts } = await import("@/lib/engine/testing/test-ports");
const { estimateComplexity } = await import("@/lib/engine/complexity");

describe("a new node type is one module and one line in the list", () => {
  it("is on the palette, with its label, glyph and color", () => {
    expect(NODE_TYPES).toContain("shout");
    const shout = (nodeTypes as Record<string, { label: string; glyph: string; color: string }>).shout;
    expect(shout).toMatchObject({ label: "Shout", glyph: "!", color: "#e11d48" });
  });

  it("has its config panel fields and its handles", () => {
    expect(configFieldsOf("shout" as never)).toEqual([{ key: "text", kind: "template", required: true }]);
    expect(handlesOf({ type: "shout" })).toEqual(["out"]);
  });

  it("is accepted by the workflow schema, with its config checked", () => {
    const def = {
      version: 1,
      name: "toy",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "s", type: "shout", config: { text: "{{ input.word }}" } },
      ],
      edges: [{ source: "start", target: "s" }],
    };
    expect(validateWorkflow(def).ok).toBe(true);
    const bad = validateWorkflow({ ...def, nodes: [def.nodes[0], { id: "s", type: "shout", config: {} }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.path)).toContain("nodes[1].config.text");
  });

  it("runs in the engine and counts in the complexity estimate", async () => {
    const result = validateWorkflow({
      version: 1,
      name: "toy",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "s", type: "shout", config: { text: "{{ input.word }}" } },
        { id: "out", type: "output", config: {} },
      ],
      edges: [
        { source: "start", target: "s" },
        { source: "s", target: "out" },
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const outcome = await runWorkflow({
      definition: result.definition,
      inputs: { word: "hey" },
      ports: createTestPorts(),
    });
    expect(outcome).toMatchObject({ status: "succeeded", outputs: { out: "HEY" } });
    expect(estimateComplexity(result.definition).reasons[0]).toBe("3 nodes");
  });
});
