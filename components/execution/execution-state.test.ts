import { describe, expect, it } from "vitest";
import type { ExecutionDetail } from "@/lib/runs/get-execution";
import { applyNodeEvent, executionReducer } from "./execution-state";
import { buildTimeline } from "./timeline-model";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

function detail(): ExecutionDetail {
  const pending = {
    status: "pending" as const,
    attempts: 0,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    output: null,
    error: null,
    cached: false,
    input: null,
  };
  return {
    id: "exec1",
    workflowId: "wf1",
    workflowVersion: 1,
    status: "queued",
    mode: "immediate",
    inputs: {},
    outputs: null,
    error: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    progress: { finished: 0, total: 3 },
    tags: [],
    triggerId: null,
    nodeId: null,
    handedOff: false,
    nodes: { start: { ...pending }, a: { ...pending }, b: { ...pending } },
    logs: [],
    definition: {
      version: 1,
      name: "wf",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "a", type: "http", name: "Fetch A", config: { method: "GET", url: "http://x" } },
        { id: "b", type: "http", config: { method: "GET", url: "http://y" } },
      ],
      edges: [
        { source: "start", target: "a" },
        { source: "start", target: "b" },
      ],
    },
    eventSeq: 0,
  };
}

describe("executionReducer", () => {
  it("follows node and execution events to a finished state", () => {
    let s = detail();
    const events = [
      { type: "execution", status: "running", at: at(0), progress: { finished: 0, total: 3 } },
      { type: "node", nodeId: "start", status: "running", attempt: 1, at: at(1) },
      { type: "node", nodeId: "start", status: "succeeded", attempt: 1, at: at(2), output: { x: 1 } },
      { type: "node", nodeId: "a", status: "running", attempt: 1, at: at(3) },
      { type: "node", nodeId: "b", status: "running", attempt: 1, at: at(4) },
      { type: "log", at: at(5), nodeId: "b", level: "warn", message: "retrying" },
      { type: "node", nodeId: "b", status: "failed", attempt: 2, at: at(300), error: { message: "boom" } },
      {
        type: "node",
        nodeId: "a",
        status: "succeeded",
        attempt: 1,
        at: at(310),
        durationMs: 307,
        cached: true,
      },
      {
        type: "execution",
        status: "failed",
        at: at(320),
        progress: { finished: 3, total: 3 },
        error: { message: "b failed" },
      },
    ] as const;
    for (const event of events) s = executionReducer(s, { type: "event", event });
    expect(s.status).toBe("failed");
    expect(s.startedAt).toBe(at(0));
    expect(s.finishedAt).toBe(at(320));
    expect(s.durationMs).toBe(320);
    expect(s.error).toEqual({ message: "b failed" });
    expect(s.nodes.start).toMatchObject({ status: "succeeded", output: { x: 1 }, durationMs: 1 });
    expect(s.nodes.a).toMatchObject({
      status: "succeeded",
      startedAt: at(3),
      finishedAt: at(310),
      durationMs: 307,
      cached: true,
    });
    expect(s.nodes.b).toMatchObject({
      status: "failed",
      attempts: 2,
      error: { message: "boom" },
      startedAt: at(4),
    });
    expect(s.logs).toEqual([{ at: at(5), nodeId: "b", level: "warn", message: "retrying" }]);
  });

  it("keeps a node's first start across retry attempts and clears it when reset to pending", () => {
    let node = applyNodeEvent(undefined, {
      type: "node",
      nodeId: "a",
      status: "running",
      attempt: 1,
      at: at(10),
    });
    node = applyNodeEvent(node, { type: "node", nodeId: "a", status: "running", attempt: 2, at: at(50) });
    expect(node).toMatchObject({ startedAt: at(10), attempts: 2 });
    node = applyNodeEvent(node, { type: "node", nodeId: "a", status: "pending", attempt: 2, at: at(60) });
    expect(node).toMatchObject({ status: "pending", startedAt: null, finishedAt: null });
  });

  it("recomputes progress from node statuses and lets a snapshot replace everything", () => {
    let s = detail();
    s = executionReducer(s, {
      type: "event",
      event: { type: "node", nodeId: "a", status: "skipped", attempt: 0, at: at(1) },
    });
    expect(s.progress).toEqual({ finished: 1, total: 3 });
    expect(s.nodes.a?.startedAt).toBeNull();
    const snap = { ...detail(), status: "succeeded" as const };
    expect(executionReducer(s, { type: "snapshot", detail: snap })).toBe(snap);
  });
});

describe("buildTimeline", () => {
  it("places parallel nodes as overlapping bars relative to the earliest start", () => {
    let s = detail();
    const events = [
      { type: "node", nodeId: "start", status: "running", attempt: 1, at: at(100) },
      { type: "node", nodeId: "start", status: "succeeded", attempt: 1, at: at(105) },
      { type: "node", nodeId: "b", status: "running", attempt: 1, at: at(107) },
      { type: "node", nodeId: "a", status: "running", attempt: 1, at: at(106) },
      { type: "node", nodeId: "a", status: "succeeded", attempt: 1, at: at(420) },
    ] as const;
    for (const event of events) s = executionReducer(s, { type: "event", event });
    const model = buildTimeline(s, T0 + 500);
    expect(model.rows.map((r) => r.nodeId)).toEqual(["start", "a", "b"]);
    expect(model.rows[0]).toMatchObject({ startMs: 0, endMs: 5 });
    expect(model.rows[1]).toMatchObject({ label: "Fetch A", startMs: 6, endMs: 320 });
    // b is still running: its bar reaches `now`.
    expect(model.rows[2]).toMatchObject({ status: "running", startMs: 7, endMs: 400 });
    expect(model.totalMs).toBe(400);
  });

  it("gives nodes that never started no bar and lists them last in definition order", () => {
    const s = detail();
    s.nodes.b = { ...s.nodes.b!, status: "succeeded", startedAt: at(0), finishedAt: at(20), durationMs: 20 };
    s.nodes.a = { ...s.nodes.a!, status: "skipped" };
    const model = buildTimeline(s, T0);
    expect(model.rows.map((r) => [r.nodeId, r.startMs])).toEqual([
      ["b", 0],
      ["start", undefined],
      ["a", undefined],
    ]);
  });
});

describe("batched events", () => {
  it("applies a batch exactly as the same events one by one", () => {
    const events = [
      { type: "execution", status: "running", at: at(0), progress: { finished: 0, total: 3 } },
      { type: "node", nodeId: "a", status: "running", attempt: 1, at: at(3) },
      { type: "node", nodeId: "a", status: "succeeded", attempt: 1, at: at(9), output: 1 },
      { type: "log", at: at(10), level: "info", message: "done" },
    ] as const;
    let one = detail();
    for (const event of events) one = executionReducer(one, { type: "event", event });
    const batched = executionReducer(detail(), { type: "events", events: [...events] });
    expect(batched).toEqual(one);
    expect(batched.nodes.a?.status).toBe("succeeded");
  });
});
