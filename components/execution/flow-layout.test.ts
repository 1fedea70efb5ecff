import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { NODE_WIDTH, positionsOf } from "./flow-layout";

const graph = (positions: boolean): Pick<WorkflowDefinition, "nodes" | "edges"> => ({
  nodes: [
    { id: "t", type: "trigger", config: {}, ...(positions ? { position: { x: 5, y: 6 } } : {}) },
    {
      id: "a",
      type: "transform",
      config: { expression: "1" },
      ...(positions ? { position: { x: 50, y: 60 } } : {}),
    },
    { id: "b", type: "transform", config: { expression: "2" } },
    { id: "m", type: "merge", config: {} },
  ],
  edges: [
    { source: "t", target: "a" },
    { source: "t", target: "b" },
    { source: "a", target: "m" },
    { source: "b", target: "m" },
  ],
});

describe("positionsOf", () => {
  it("keeps saved positions when every node has one", () => {
    const def = graph(true);
    for (const n of def.nodes) n.position ??= { x: 1, y: 2 };
    const p = positionsOf(def);
    expect(p.get("t")).toEqual({ x: 5, y: 6 });
    expect(p.get("a")).toEqual({ x: 50, y: 60 });
  });

  it("lays out left to right when some position is missing, parallel nodes side by side", () => {
    const p = positionsOf(graph(true));
    const [t, a, b, m] = ["t", "a", "b", "m"].map((id) => p.get(id)!);
    expect(a!.x).toBeGreaterThanOrEqual(t!.x + NODE_WIDTH);
    expect(a!.x).toBe(b!.x);
    expect(a!.y).not.toBe(b!.y);
    expect(m!.x).toBeGreaterThanOrEqual(a!.x + NODE_WIDTH);
  });
});
