import { describe, expect, it } from "vitest";
import type { ExecutionDetail, ExecutionNodeDetail } from "@/lib/runs/get-execution";
import { buildTimeline, type ChildSpan } from "./timeline-model";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

const ran = (start: number, end: number | null): ExecutionNodeDetail => ({
  status: end === null ? "running" : "succeeded",
  attempts: 1,
  startedAt: at(start),
  finishedAt: end === null ? null : at(end),
  durationMs: end === null ? null : end - start,
  output: null,
  error: null,
  cached: false,
  input: null,
});

function parent(nodes: Record<string, ExecutionNodeDetail>): ExecutionDetail {
  return {
    id: "p",
    workflowId: "wf",
    workflowVersion: 1,
    status: "running",
    mode: "immediate",
    inputs: {},
    outputs: null,
    error: null,
    startedAt: at(0),
    finishedAt: null,
    durationMs: null,
    progress: { finished: 0, total: 3 },
    tags: [],
    triggerId: null,
    nodeId: null,
    handedOff: false,
    nodes,
    logs: [],
    definition: {
      version: 1,
      name: "wf",
      nodes: [
        { id: "t", type: "trigger", config: {} },
        { id: "sub", type: "workflow", config: { workflowId: "child" } },
        { id: "after", type: "transform", config: { expression: "1" } },
      ],
      edges: [],
    },
    eventSeq: 0,
  } as ExecutionDetail;
}

const span = (id: string, start: number | null, end: number | null, extra: Partial<ChildSpan> = {}) =>
  ({
    id,
    parentNodeId: "sub",
    label: "Child flow",
    status: end === null ? "running" : "succeeded",
    startedAt: start === null ? null : at(start),
    finishedAt: end === null ? null : at(end),
    ...extra,
  }) satisfies ChildSpan;

describe("buildTimeline with child executions", () => {
  it("adds a bar per child under its workflow node, on the parent's axis", () => {
    const detail = parent({ t: ran(0, 2), sub: ran(2, 50), after: ran(50, 60) });
    const model = buildTimeline(detail, T0 + 100, [span("c1", 5, 30), span("c2", 31, 48)]);
    expect(model.rows.map((r) => (r.child ? `child ${r.child.executionId}` : r.nodeId))).toEqual([
      "t",
      "sub",
      "child c1",
      "child c2",
      "after",
    ]);
    expect(model.rows[2]).toMatchObject({ nodeId: "sub", label: "child: Child flow", startMs: 5, endMs: 30 });
    expect(model.rows[3]).toMatchObject({ status: "succeeded", startMs: 31, endMs: 48 });
    expect(model.totalMs).toBe(60);
  });

  it("runs a running child's bar to now, and gives a child that never started no bar", () => {
    const detail = parent({ t: ran(0, 2), sub: ran(2, null) });
    const model = buildTimeline(detail, T0 + 400, [
      span("c1", 10, null),
      span("c2", null, null, { status: "queued", parentNodeId: "gone" }),
    ]);
    const running = model.rows.find((r) => r.child?.executionId === "c1");
    expect(running).toMatchObject({ status: "running", startMs: 10, endMs: 400 });
    const queued = model.rows.at(-1);
    expect(queued).toMatchObject({ child: { executionId: "c2" }, status: "queued" });
    expect(queued?.startMs).toBeUndefined();
    expect(model.totalMs).toBe(400);
  });

  it("is the plain node timeline without children", () => {
    const detail = parent({ t: ran(0, 2), sub: ran(2, 50) });
    expect(buildTimeline(detail, T0 + 50).rows.every((r) => !r.child)).toBe(true);
  });
});
