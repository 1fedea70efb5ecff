import { describe, expect, it } from "vitest";
import { transform, trigger, workflow } from "@/lib/engine/testing/workflow-builder";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { planRerun } from "./rerun-plan";

// start → a → b → c → out, plus a side branch start → side
const source = workflow(
  [
    trigger(),
    transform("a", "1"),
    transform("b", "nodes.a + 1"),
    transform("c", "nodes.b + 1"),
    transform("side", "2"),
    { id: "out", type: "output" },
  ],
  ["start->a", "a->b", "b->c", "c->out", "start->side"],
);
const allSucceeded = new Map(source.nodes.map((n) => [n.id, "succeeded"]));

const edit = (def: WorkflowDefinition, id: string, patch: Record<string, unknown>): WorkflowDefinition => ({
  ...def,
  nodes: def.nodes.map((n) => (n.id === id ? ({ ...n, ...patch } as typeof n) : n)),
});

describe("planRerun", () => {
  it.each([
    ["the middle", "b", ["start", "a", "side"], ["b", "c", "out"]],
    ["the trigger", "start", [], ["start", "a", "b", "c", "side", "out"]],
    ["the last node", "out", ["start", "a", "b", "c", "side"], ["out"]],
    ["a side branch", "side", ["start", "a", "b", "c", "out"], ["side"]],
  ])("original, from %s", (_, from, reuse, run) => {
    expect(
      planRerun({ source, target: source, fromNodeId: from, sourceStatuses: allSucceeded, latest: false }),
    ).toEqual({ ok: true, triggerId: "start", reuse, run });
  });

  it("runs an upstream node that failed or never ran, and its downstream", () => {
    const statuses = new Map(allSucceeded);
    statuses.set("side", "failed");
    statuses.delete("a");
    const plan = planRerun({
      source,
      target: source,
      fromNodeId: "c",
      sourceStatuses: statuses,
      latest: false,
    });
    expect(plan).toMatchObject({ ok: true, reuse: ["start"], run: ["a", "b", "c", "side", "out"] });
  });

  it("reuses a failed node under onError continue", () => {
    const def = edit(source, "a", { onError: "continue" });
    const statuses = new Map(allSucceeded).set("a", "failed");
    const plan = planRerun({
      source: def,
      target: def,
      fromNodeId: "c",
      sourceStatuses: statuses,
      latest: false,
    });
    expect(plan).toMatchObject({ ok: true, reuse: ["start", "a", "b", "side"] });
  });

  it("latest: a changed config runs with its downstream; an unchanged node is reused", () => {
    const target = edit(source, "side", { config: { expression: "3" } });
    const plan = planRerun({ source, target, fromNodeId: "c", sourceStatuses: allSucceeded, latest: true });
    expect(plan).toMatchObject({ ok: true, reuse: ["start", "a", "b"], run: ["c", "side", "out"] });
  });

  it("latest: a move is not a change", () => {
    const target = edit(source, "a", { position: { x: 9, y: 9 } });
    const plan = planRerun({ source, target, fromNodeId: "c", sourceStatuses: allSucceeded, latest: true });
    expect(plan).toMatchObject({ ok: true, reuse: ["start", "a", "b", "side"] });
  });

  it("latest: a new upstream node runs", () => {
    const target = workflow(
      [...source.nodes, transform("extra", "5")],
      [...source.edges.map((e) => `${e.source}->${e.target}`), "start->extra"],
    );
    const plan = planRerun({ source, target, fromNodeId: "c", sourceStatuses: allSucceeded, latest: true });
    expect(plan).toMatchObject({ ok: true, run: ["c", "out", "extra"] });
  });

  it.each([
    [
      "an upstream node removed",
      () =>
        workflow(
          source.nodes.filter((n) => n.id !== "side"),
          ["start->a", "a->b", "b->c", "c->out"],
        ),
      "c",
      [{ path: "nodes.side", code: "node_removed" }],
    ],
    [
      "an upstream type changed",
      () => edit(source, "a", { type: "output", config: {} }),
      "c",
      [{ path: "nodes.a", code: "type_changed" }],
    ],
    [
      "the start node gone",
      () =>
        workflow(
          source.nodes.filter((n) => n.id !== "c"),
          ["start->a", "a->b", "b->out", "start->side"],
        ),
      "c",
      [{ path: "fromNodeId", code: "node_missing" }],
    ],
  ])("latest: %s is an issue", (_, target, from, issues) => {
    const plan = planRerun({
      source,
      target: target(),
      fromNodeId: from,
      sourceStatuses: allSucceeded,
      latest: true,
    });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.issues).toMatchObject(issues);
  });

  it("latest: a removed or retyped node downstream of the start runs anyway, no issue", () => {
    const target = edit(source, "c", { type: "output", config: {} });
    expect(
      planRerun({ source, target, fromNodeId: "b", sourceStatuses: allSucceeded, latest: true }),
    ).toMatchObject({ ok: true, run: ["b", "c", "out"] });
  });

  it("a node not reachable from the trigger is refused", () => {
    const def = workflow(
      [...source.nodes, transform("loose", "1")],
      source.edges.map((e) => `${e.source}->${e.target}`),
    );
    const plan = planRerun({
      source: def,
      target: def,
      fromNodeId: "loose",
      sourceStatuses: allSucceeded,
      latest: false,
    });
    expect(plan).toMatchObject({ ok: false, issues: [{ path: "fromNodeId", code: "not_in_run" }] });
  });
});
