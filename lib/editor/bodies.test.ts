import { describe, expect, it } from "vitest";
import { absolutePosition, DEFAULT_LOOP_SIZE, LOOP_HEADER, loopAt, parentsFirst, reparent } from "./bodies";
import { checkConnection } from "./connect";
import { layoutDefinition } from "./layout";
import { createEditorStore } from "./store";
import type { EditorDefinition } from "./types";

const doc = (): EditorDefinition => ({
  version: 1,
  name: "loops",
  nodes: [
    { id: "start", type: "trigger", position: { x: 0, y: 0 }, config: {} },
    {
      id: "each",
      type: "loop",
      position: { x: 300, y: 100 },
      size: { width: 500, height: 300 },
      config: { items: "[1]" },
    },
    {
      id: "inner",
      type: "transform",
      parentId: "each",
      position: { x: 40, y: 80 },
      config: { expression: "$item" },
    },
    { id: "free", type: "transform", position: { x: 1000, y: 0 }, config: { expression: "1" } },
  ],
  edges: [
    { source: "start", target: "each" },
    { source: "start", target: "free" },
  ],
});

describe("loop bodies in the editor", () => {
  it("knows where body nodes sit on the canvas and which box a point is in", () => {
    const def = doc();
    expect(absolutePosition(def, "inner")).toEqual({ x: 340, y: 180 });
    expect(loopAt(def, { x: 350, y: 150 })?.id).toBe("each");
    expect(loopAt(def, { x: 900, y: 150 })).toBeUndefined();
    expect(loopAt(def, { x: 350, y: 150 }, new Set(["each"]))).toBeUndefined();
  });

  it("moves a node into a loop keeping its place, dropping edges that would cross the boundary", () => {
    const { definition, droppedEdges } = reparent(doc(), ["free"], "each");
    const free = definition.nodes.find((n) => n.id === "free")!;
    expect(free.parentId).toBe("each");
    // Kept in place, but never above the body area (under the header) or left of the box.
    expect(free.position).toEqual({ x: 700, y: LOOP_HEADER + 8 });
    expect(droppedEdges).toBe(1);
    expect(definition.edges).toEqual([{ source: "start", target: "each" }]);
    const out = reparent(definition, ["inner"], undefined).definition.nodes.find((n) => n.id === "inner")!;
    expect(out.parentId).toBeUndefined();
    expect(out.position).toEqual({ x: 340, y: 180 });
  });

  it("keeps every loop ahead of its body nodes", () => {
    const ordered = parentsFirst([{ id: "a", parentId: "l2" }, { id: "l2", parentId: "l1" }, { id: "l1" }]);
    expect(ordered.map((n) => n.id)).toEqual(["l1", "l2", "a"]);
  });

  it("refuses a connection across a body's boundary", () => {
    const check = checkConnection(doc(), { source: "inner", target: "free" });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(/cannot cross a loop's boundary/);
  });

  it("lays a body out inside its loop's box, below the header, and sizes the box", () => {
    const def = doc();
    def.nodes.push({ id: "second", type: "transform", parentId: "each", config: { expression: "input" } });
    def.edges.push({ source: "inner", target: "second" });
    const laid = layoutDefinition(def);
    const inner = laid.nodes.find((n) => n.id === "inner")!;
    const second = laid.nodes.find((n) => n.id === "second")!;
    const each = laid.nodes.find((n) => n.id === "each")!;
    expect(inner.position!.y).toBeGreaterThanOrEqual(LOOP_HEADER);
    expect(second.position!.x).toBeGreaterThan(inner.position!.x);
    expect(each.size!.width).toBeGreaterThanOrEqual(second.position!.x + 220);
    expect(each.size!.height).toBeGreaterThanOrEqual(DEFAULT_LOOP_SIZE.height);
  });

  it("deletes a loop with its body, and adds a node into a loop from the palette", () => {
    const store = createEditorStore({ workflowId: "w", definition: doc() as never, version: 1 });
    const id = store.getState().addNode("http", { x: 400, y: 200 }, "each");
    const added = store.getState().definition.nodes.find((n) => n.id === id)!;
    expect(added.parentId).toBe("each");
    expect(added.position).toEqual({ x: 100, y: 100 });
    store.getState().deleteNodes(["each"]);
    expect(store.getState().definition.nodes.map((n) => n.id)).toEqual(["start", "free"]);
  });
});
