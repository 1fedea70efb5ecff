import { describe, expect, it } from "vitest";
import {
  ancestorsOf,
  criticalPath,
  findCycle,
  pickTrigger,
  reachableFrom,
  resolveEdges,
  topologicalOrder,
} from "./graph";
import type { WorkflowDefinition } from "./schema";

const t = (id: string) => ({ id, type: "trigger" as const, config: {} });
const x = (id: string) => ({ id, type: "transform" as const, config: { expression: "1" } });
const c = (id: string) => ({ id, type: "condition" as const, config: { expression: "true" } });

const diamond: Pick<WorkflowDefinition, "nodes" | "edges"> = {
  nodes: [t("s"), x("a"), x("b"), x("j"), t("s2"), x("z")],
  edges: [
    { source: "s", target: "a" },
    { source: "s", target: "b" },
    { source: "a", target: "j" },
    { source: "b", target: "j" },
    { source: "s2", target: "z" },
  ],
};

describe("graph helpers", () => {
  it("resolves default and named handles", () => {
    const edges = resolveEdges({
      nodes: [t("s"), c("k"), x("a")],
      edges: [
        { source: "s", target: "k" },
        { source: "k", sourceHandle: "false", target: "a" },
      ],
    });
    expect(edges.map((e) => [e.handle, e.key])).toEqual([
      ["out", "s:out->k"],
      ["false", "k:false->a"],
    ]);
  });

  it("finds the nodes reachable from a trigger, and ancestors", () => {
    expect([...reachableFrom(diamond, "s")].sort()).toEqual(["a", "b", "j", "s"]);
    expect([...reachableFrom(diamond, "s2")].sort()).toEqual(["s2", "z"]);
    expect([...reachableFrom(diamond, "nope")]).toEqual([]);
    expect([...ancestorsOf(diamond, "j")].sort()).toEqual(["a", "b", "s"]);
  });

  it("picks the asked trigger, else the first", () => {
    expect(pickTrigger(diamond)?.id).toBe("s");
    expect(pickTrigger(diamond, "s2")?.id).toBe("s2");
    expect(pickTrigger(diamond, "a")).toBeUndefined();
  });

  it("orders topologically and reports cycles", () => {
    const { order, cycle } = topologicalOrder(diamond);
    expect(cycle).toBeUndefined();
    expect(order.indexOf("s")).toBeLessThan(order.indexOf("a"));
    expect(order.indexOf("a")).toBeLessThan(order.indexOf("j"));
    expect(order.indexOf("b")).toBeLessThan(order.indexOf("j"));
    const cyclic = {
      nodes: [x("a"), x("b"), x("c")],
      edges: [
        { source: "a", target: "b" },
        { source: "b", target: "c" },
        { source: "c", target: "b" },
      ],
    };
    expect(topologicalOrder(cyclic).cycle).toEqual(["b", "c"]);
    expect(findCycle(diamond)).toBeUndefined();
  });

  it("computes the critical path from per-node durations", () => {
    expect(criticalPath(diamond, { s: 1, a: 10, b: 30, j: 5, z: 100 })).toEqual({
      length: 100,
      path: ["s2", "z"],
    });
    expect(criticalPath(diamond, { s: 1, a: 10, b: 30, j: 5 })).toEqual({
      length: 36,
      path: ["s", "b", "j"],
    });
    expect(criticalPath({ nodes: [], edges: [] }, {})).toEqual({ length: 0, path: [] });
  });
});
