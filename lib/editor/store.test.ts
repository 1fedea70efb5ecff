import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { validateWorkflow } from "@/lib/workflow/validate";
import { createEditorStore, HISTORY_LIMIT, isDirty } from "./store";

const base: WorkflowDefinition = {
  version: 1,
  name: "Test",
  nodes: [
    { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
    { id: "check", type: "condition", config: { expression: "input.ok" }, position: { x: 300, y: 0 } },
    { id: "done", type: "output", config: {}, position: { x: 600, y: 0 } },
  ],
  edges: [{ id: "e1", source: "start", target: "check" }],
};

const make = (definition: WorkflowDefinition = base) =>
  createEditorStore({ workflowId: "w1", definition, version: 1 });

describe("editor store", () => {
  it("adds nodes with unique ids and the type's default config", () => {
    const store = make();
    const a = store.getState().addNode("http");
    const b = store.getState().addNode("http");
    expect([a, b]).toEqual(["http", "http_2"]);
    const node = store.getState().definition.nodes.find((n) => n.id === "http_2");
    expect(node?.config).toEqual({ method: "GET", url: "{{ inputs.url }}" });
    expect(store.getState().selectedNodes).toEqual(["http_2"]);
    expect(isDirty(store.getState())).toBe(true);
  });

  it("connects valid handles and stores the condition handle", () => {
    const store = make();
    expect(store.getState().connect({ source: "check", sourceHandle: "true", target: "done" })).toEqual({
      ok: true,
    });
    const edge = store.getState().definition.edges.at(-1);
    expect(edge).toMatchObject({ source: "check", target: "done", sourceHandle: "true" });
    expect(validateWorkflow(store.getState().definition).ok).toBe(true);
  });

  it.each([
    [{ source: "done", target: "check" }, /output node "done" has no outputs/],
    [{ source: "check", sourceHandle: "out", target: "done" }, /no handle "out"/],
    [{ source: "check", sourceHandle: "error", target: "done" }, /no handle "error"/],
    [
      { source: "check", sourceHandle: "true", target: "start" },
      /trigger "start" cannot have incoming edges/,
    ],
    [{ source: "check", sourceHandle: "true", target: "check" }, /cannot connect to itself/],
    [{ source: "start", target: "check" }, /already connected/],
    [{ source: "nope", target: "check" }, /no node "nope"/],
  ])("refuses %j with a reason and changes nothing", (conn, reason) => {
    const store = make();
    const before = store.getState().definition;
    const result = store.getState().connect(conn);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
    expect(store.getState().definition).toBe(before);
    expect(store.getState().notice?.kind).toBe("error");
    expect(store.getState().notice?.message).toMatch(reason);
  });

  it("refuses a connection that closes a cycle and names it", () => {
    const store = make();
    store.getState().addNode("transform");
    store.getState().connect({ source: "check", sourceHandle: "true", target: "transform" });
    const result = store.getState().connect({ source: "transform", target: "check" });
    expect(result).toEqual({ ok: false, reason: "that would make a cycle: check → transform → check" });
  });

  it("offers the error handle only while onError is branch, and drops its edges when it goes", () => {
    const store = make();
    store.getState().addNode("http");
    expect(store.getState().connect({ source: "http", sourceHandle: "error", target: "done" }).ok).toBe(
      false,
    );
    store.getState().updateNode("http", { onError: "branch" });
    expect(store.getState().connect({ source: "http", sourceHandle: "error", target: "done" }).ok).toBe(true);
    store.getState().updateNode("http", { onError: "fail" });
    expect(store.getState().definition.edges.some((e) => e.sourceHandle === "error")).toBe(false);
  });

  it("undoes and redoes, and a new edit clears the redo stack", () => {
    const store = make();
    const s0 = store.getState().definition;
    store.getState().addNode("delay");
    const s1 = store.getState().definition;
    store.getState().addNode("merge");
    store.getState().undo();
    expect(store.getState().definition).toBe(s1);
    store.getState().undo();
    expect(store.getState().definition).toBe(s0);
    expect(isDirty(store.getState())).toBe(false);
    store.getState().undo();
    expect(store.getState().definition).toBe(s0);
    store.getState().redo();
    expect(store.getState().definition).toBe(s1);
    store.getState().addNode("email");
    expect(store.getState().future).toEqual([]);
    store.getState().redo();
    expect(store.getState().definition.nodes.map((n) => n.id)).toContain("email");
  });

  it("coalesces typing in one field into one undo step", () => {
    const store = make();
    for (const text of ["i", "in", "inp", "input"])
      store.getState().setConfigValue("check", "expression", text);
    expect(store.getState().past).toHaveLength(1);
    store.getState().setConfigValue("check", "expression", "input.x");
    store.getState().endEdit();
    store.getState().setConfigValue("check", "expression", "input.y");
    expect(store.getState().past).toHaveLength(2);
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().definition.nodes[1]?.config).toEqual({ expression: "input.ok" });
  });

  it("keeps history bounded", () => {
    const store = make();
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) store.getState().addNode("delay");
    expect(store.getState().past).toHaveLength(HISTORY_LIMIT);
  });

  it("pastes with renamed ids and edges that follow the renaming", () => {
    const store = make();
    store.getState().connect({ source: "check", sourceHandle: "false", target: "done" });
    store.getState().select(["check", "done"]);
    store.getState().copySelection();
    store.getState().paste();
    const def = store.getState().definition;
    expect(def.nodes.map((n) => n.id)).toEqual(["start", "check", "done", "check_2", "done_2"]);
    const pasted = def.edges.filter((e) => e.source === "check_2");
    expect(pasted).toEqual([
      expect.objectContaining({ source: "check_2", target: "done_2", sourceHandle: "false" }),
    ]);
    expect(def.nodes.find((n) => n.id === "check_2")?.position).toEqual({ x: 340, y: 40 });
    expect(store.getState().selectedNodes).toEqual(["check_2", "done_2"]);
    store.getState().paste();
    expect(store.getState().definition.nodes.map((n) => n.id)).toContain("check_3");
    expect(validateWorkflow(store.getState().definition).ok).toBe(true);
  });

  it("duplicates the selection and deletes nodes with their edges", () => {
    const store = make();
    store.getState().select(["check"]);
    store.getState().duplicateSelection();
    expect(store.getState().definition.nodes.map((n) => n.id)).toContain("check_2");
    store.getState().select(["check"]);
    store.getState().deleteSelection();
    const def = store.getState().definition;
    expect(def.nodes.map((n) => n.id)).not.toContain("check");
    expect(def.edges).toEqual([]);
  });

  it("renames a node and its edges, refusing bad or taken ids", () => {
    const store = make();
    expect(store.getState().renameNode("check", "start").ok).toBe(false);
    expect(store.getState().renameNode("check", "9x").ok).toBe(false);
    expect(store.getState().renameNode("check", "gate")).toEqual({ ok: true });
    expect(store.getState().definition.edges[0]).toMatchObject({ source: "start", target: "gate" });
  });

  it("lays out left to right following the edges", () => {
    const store = make();
    store.getState().connect({ source: "check", sourceHandle: "true", target: "done" });
    store.getState().autoLayout();
    const x = Object.fromEntries(
      store.getState().definition.nodes.map((n) => [n.id, n.position?.x ?? Number.NaN]),
    );
    expect(x.start).toBeLessThan(x.check!);
    expect(x.check).toBeLessThan(x.done!);
  });

  it("lays out a definition without positions on load, without marking it dirty", () => {
    const store = make({
      ...base,
      nodes: base.nodes.map(({ position: _p, ...n }) => n) as WorkflowDefinition["nodes"],
    });
    expect(store.getState().definition.nodes.every((n) => n.position !== undefined)).toBe(true);
    expect(isDirty(store.getState())).toBe(false);
  });

  it("imports a valid definition and refuses an invalid one without changing anything", () => {
    const store = make();
    const before = store.getState().definition;
    const cyclic = {
      ...base,
      edges: [
        { source: "start", target: "check" },
        { source: "check", sourceHandle: "true", target: "done" },
      ],
      nodes: [...base.nodes, { id: "t", type: "transform", config: { expression: "1" } }],
    };
    cyclic.edges.push(
      { source: "t", target: "check" },
      { source: "check", sourceHandle: "false", target: "t" },
    );
    const bad = store.getState().importJson(JSON.stringify(cyclic));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/cycle/);
    expect(store.getState().importJson("{not json").ok).toBe(false);
    const unknownType = store
      .getState()
      .importJson(JSON.stringify({ ...base, nodes: [{ id: "x", type: "nope" }] }));
    expect(unknownType.ok).toBe(false);
    if (!unknownType.ok) {
      expect(unknownType.reason).toBe('Node "x": "nope" is not a node type');
      expect(unknownType.issues?.map((i) => i.path)).toContain("nodes[0].type");
    }
    expect(store.getState().definition).toBe(before);

    const other = { ...base, name: "Imported", nodes: [base.nodes[0]!], edges: [] };
    expect(store.getState().importJson(JSON.stringify({ id: "x", definition: other }))).toEqual({ ok: true });
    expect(store.getState().definition.name).toBe("Imported");
    store.getState().undo();
    expect(store.getState().definition).toBe(before);
  });

  it("applies canvas moves as one undo step per drag and records sizes outside history", () => {
    const store = make();
    for (let x = 1; x <= 5; x++)
      store.getState().applyGeometry([{ type: "position", id: "done", position: { x, y: 0 } }]);
    store.getState().endEdit();
    store
      .getState()
      .applyGeometry([{ type: "dimensions", id: "done", dimensions: { width: 10, height: 20 } }]);
    expect(store.getState().past).toHaveLength(1);
    expect(store.getState().measured.done).toEqual({ width: 10, height: 20 });
    store.getState().undo();
    expect(store.getState().definition.nodes[2]?.position).toEqual({ x: 600, y: 0 });
  });

  it("tracks unsaved changes against the last save", () => {
    const store = make();
    store.getState().setName("Renamed");
    expect(isDirty(store.getState())).toBe(true);
    store.getState().markSaved(2, store.getState().definition);
    expect(isDirty(store.getState())).toBe(false);
    expect(store.getState().version).toBe(2);
  });

  it("adds a node after a handle and connects it in one undo step", () => {
    const store = make();
    const id = store.getState().addNodeAfter("transform", { source: "check", handle: "false" });
    const s = store.getState();
    expect(id).toBe("transform");
    expect(s.definition.edges.at(-1)).toMatchObject({
      source: "check",
      target: "transform",
      sourceHandle: "false",
    });
    const placed = s.definition.nodes.find((n) => n.id === "transform")?.position;
    expect(placed?.x).toBeGreaterThan(300);
    expect(s.selectedNodes).toEqual(["transform"]);
    s.undo();
    expect(store.getState().definition.nodes.map((n) => n.id)).toEqual(["start", "check", "done"]);
    expect(store.getState().definition.edges).toHaveLength(1);
  });

  it("adds but does not connect a node after a node without outputs", () => {
    const store = make();
    store.getState().addNodeAfter("transform", { source: "done" });
    expect(store.getState().definition.nodes.some((n) => n.id === "transform")).toBe(true);
    expect(store.getState().definition.edges).toHaveLength(1);
    expect(store.getState().notice?.kind).toBe("error");
  });

  it("selects all nodes", () => {
    const store = make();
    store.getState().selectAll();
    expect(store.getState().selectedNodes).toEqual(["start", "check", "done"]);
  });

  it("lays unconnected nodes out left to right, not in one column", () => {
    const store = make({ ...base, edges: [] });
    store.getState().addNode("http");
    store.getState().addNode("output");
    store.getState().autoLayout();
    const nodes = store.getState().definition.nodes;
    const xs = nodes.map((n) => n.position?.x ?? 0);
    const ys = nodes.map((n) => n.position?.y ?? 0);
    expect(new Set(xs).size).toBe(nodes.length);
    expect(Math.max(...ys) - Math.min(...ys)).toBeLessThan(100);
    const first = nodes.reduce((a, b) => ((a.position?.x ?? 0) <= (b.position?.x ?? 0) ? a : b));
    expect(first.type).toBe("trigger");
  });
});
