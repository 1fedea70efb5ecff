import { describe, expect, it } from "vitest";
import { transform, trigger, workflow } from "@/lib/engine/testing/workflow-builder";
import { describeFieldChange, diffValues, diffWorkflows, jsonEqual } from "./diff";

const base = workflow(
  [trigger(), transform("a", "inputs.n"), transform("b", "nodes.a + 1"), { id: "out", type: "output" }],
  ["start->a", "a->b", "b->out"],
);

describe("diffValues", () => {
  it.each([
    ["equal objects, other key order", { a: 1, b: 2 }, { b: 2, a: 1 }, []],
    ["a changed leaf", { a: 1 }, { a: 2 }, [{ path: "a", kind: "changed", before: 1, after: 2 }]],
    ["an added key", { a: 1 }, { a: 1, b: 2 }, [{ path: "b", kind: "added", after: 2 }]],
    ["a removed key", { a: 1, b: 2 }, { a: 1 }, [{ path: "b", kind: "removed", before: 2 }]],
    [
      "a nested change",
      { config: { retry: { max: 1 } } },
      { config: { retry: { max: 3 } } },
      [{ path: "config.retry.max", kind: "changed", before: 1, after: 3 }],
    ],
    [
      "an array item",
      { h: ["x", "y"] },
      { h: ["x", "z"] },
      [{ path: "h[1]", kind: "changed", before: "y", after: "z" }],
    ],
    [
      "arrays of other lengths",
      { h: [1] },
      { h: [1, 2] },
      [{ path: "h", kind: "changed", before: [1], after: [1, 2] }],
    ],
    [
      "object became string",
      { v: { a: 1 } },
      { v: "a" },
      [{ path: "v", kind: "changed", before: { a: 1 }, after: "a" }],
    ],
    ["undefined keys are absent", { a: 1, b: undefined }, { a: 1 }, []],
  ])("%s", (_, before, after, expected) => {
    expect(diffValues(before, after)).toEqual(expected);
  });
});

describe("jsonEqual", () => {
  it.each([
    [1, 1, true],
    [null, null, true],
    [[1, [2]], [1, [2]], true],
    [{ a: [1] }, { a: [1] }, true],
    [{ a: 1 }, { a: "1" }, false],
    [[1, 2], [2, 1], false],
    [null, {}, false],
  ])("%j vs %j → %s", (a, b, same) => {
    expect(jsonEqual(a, b)).toBe(same);
  });
});

describe("diffWorkflows", () => {
  const withNodes = (nodes: typeof base.nodes, edges = base.edges) => ({ ...base, nodes, edges });
  const cases: Array<{
    name: string;
    after: typeof base;
    kinds: Record<string, string>;
    counts: Partial<ReturnType<typeof diffWorkflows>["counts"]>;
    fields?: Record<string, string[]>;
  }> = [
    {
      name: "nothing changed",
      after: base,
      kinds: { start: "unchanged", a: "unchanged", b: "unchanged", out: "unchanged" },
      counts: { added: 0, removed: 0, changed: 0, edgesAdded: 0, edgesRemoved: 0 },
    },
    {
      name: "a node added with its edge",
      after: withNodes(
        [...base.nodes, { id: "c", type: "transform", config: { expression: "1" } }],
        [...base.edges, { source: "b", target: "c" }],
      ),
      kinds: { c: "added", b: "unchanged" },
      counts: { added: 1, edgesAdded: 1 },
    },
    {
      name: "a node removed takes its edges",
      after: withNodes(
        base.nodes.filter((n) => n.id !== "b"),
        [
          { source: "start", target: "a" },
          { source: "a", target: "out" },
        ],
      ),
      kinds: { b: "removed", a: "unchanged" },
      counts: { removed: 1, edgesAdded: 1, edgesRemoved: 2 },
    },
    {
      name: "a config change, field by field",
      after: withNodes(
        base.nodes.map((n) =>
          n.id === "a" ? { ...n, config: { expression: "inputs.m" } } : n,
        ) as typeof base.nodes,
      ),
      kinds: { a: "changed", b: "unchanged" },
      counts: { changed: 1 },
      fields: { a: ["config.expression"] },
    },
    {
      name: "retry and name are fields too",
      after: withNodes(
        base.nodes.map((n) =>
          n.id === "b" ? { ...n, name: "Bee", retry: { maxAttempts: 3 } } : n,
        ) as typeof base.nodes,
      ),
      kinds: { b: "changed" },
      counts: { changed: 1 },
      fields: { b: ["name", "retry"] },
    },
    {
      name: "a move alone is not a change",
      after: withNodes(
        base.nodes.map((n) =>
          n.id === "a" ? { ...n, position: { x: 500, y: 20 } } : n,
        ) as typeof base.nodes,
      ),
      kinds: { a: "unchanged" },
      counts: { changed: 0 },
    },
    {
      name: "a regenerated edge id is the same edge",
      after: withNodes(
        base.nodes,
        base.edges.map((e, i) => ({ ...e, id: `e${i}` })),
      ),
      kinds: {},
      counts: { edgesAdded: 0, edgesRemoved: 0 },
    },
  ];
  it.each(cases)("$name", ({ after, kinds, counts, fields }) => {
    const diff = diffWorkflows(base, after);
    const byId = Object.fromEntries(diff.nodes.map((n) => [n.id, n]));
    for (const [id, kind] of Object.entries(kinds)) expect(byId[id]?.kind, id).toBe(kind);
    expect(diff.counts).toMatchObject(counts);
    for (const [id, paths] of Object.entries(fields ?? {})) {
      expect(byId[id]?.fields.map((f) => f.path)).toEqual(paths);
    }
  });

  it("marks moved nodes, says same when only positions differ", () => {
    const moved = { ...base, nodes: base.nodes.map((n) => ({ ...n, position: { x: 1, y: 2 } })) };
    const diff = diffWorkflows(base, moved as typeof base);
    expect(diff.same).toBe(true);
    expect(diff.nodes.every((n) => n.moved)).toBe(true);
  });

  it("reports the workflow's name and settings", () => {
    const diff = diffWorkflows(base, { ...base, name: "renamed", settings: { maxConcurrency: 2 } });
    expect(diff.workflow.map((f) => f.path)).toEqual(["name", "settings"]);
    expect(diff.same).toBe(false);
  });

  it("a handle change is an edge removed and one added", () => {
    const cond = workflow(
      [trigger(), { id: "c", type: "condition", config: { expression: "true" } }, transform("t", "1")],
      ["start->c", "c:true->t"],
    );
    const flipped = { ...cond, edges: [cond.edges[0]!, { source: "c", sourceHandle: "false", target: "t" }] };
    const diff = diffWorkflows(cond, flipped);
    expect(diff.edges.filter((e) => e.kind !== "unchanged").map((e) => `${e.kind} ${e.key}`)).toEqual([
      "added c:false->t",
      "removed c:true->t",
    ]);
  });
});

describe("describeFieldChange", () => {
  it.each([
    [{ path: "config.url", kind: "changed", before: "a", after: "b" }, 'config.url: "a" → "b"'],
    [{ path: "retry", kind: "added", after: { maxAttempts: 2 } }, 'retry: + {"maxAttempts":2}'],
    [{ path: "name", kind: "removed", before: "x" }, 'name: − "x"'],
  ] as const)("%j", (change, text) => {
    expect(describeFieldChange(change)).toBe(text);
  });
});
