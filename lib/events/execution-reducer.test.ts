import { describe, expect, it } from "vitest";
import type { EngineEvent } from "@/lib/contract/events";
import {
  applyNodeEvent,
  type ExecutionView,
  iterationKey,
  type NodeView,
  type ReduceOptions,
  reduceEvents,
} from "./execution-reducer";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

const options: ReduceOptions<NodeView> = { blank: { status: "pending" }, maxLogs: 3, recountProgress: true };

function state(): ExecutionView {
  return {
    status: "queued",
    progress: { finished: 0, total: 2 },
    nodes: { loop: { status: "pending" }, body: { status: "pending" } },
    logs: [],
  };
}

describe("applyNodeEvent", () => {
  it.each<{ name: string; prev: NodeView; event: Parameters<typeof applyNodeEvent>[1]; expected: NodeView }>([
    {
      name: "a first start sets startedAt",
      prev: { status: "pending" },
      event: { nodeId: "a", status: "running", attempt: 1, at: at(10) },
      expected: {
        status: "running",
        attempts: 1,
        startedAt: at(10),
        finishedAt: null,
        durationMs: null,
        error: null,
      },
    },
    {
      name: "a retry keeps the first start",
      prev: { status: "running", attempts: 1, startedAt: at(10) },
      event: { nodeId: "a", status: "running", attempt: 2, at: at(50) },
      expected: {
        status: "running",
        attempts: 2,
        startedAt: at(10),
        finishedAt: null,
        durationMs: null,
        error: null,
      },
    },
    {
      name: "a finish without a duration measures it from the start",
      prev: { status: "running", attempts: 1, startedAt: at(10) },
      event: { nodeId: "a", status: "succeeded", attempt: 1, at: at(40), output: { ok: 1 } },
      expected: {
        status: "succeeded",
        attempts: 1,
        startedAt: at(10),
        finishedAt: at(40),
        durationMs: 30,
        output: { ok: 1 },
      },
    },
    {
      name: "a finish seen without its start gets a start from its duration",
      prev: { status: "pending" },
      event: {
        nodeId: "a",
        status: "failed",
        attempt: 1,
        at: at(40),
        durationMs: 15,
        error: { message: "x" },
      },
      expected: {
        status: "failed",
        attempts: 1,
        startedAt: at(25),
        finishedAt: at(40),
        durationMs: 15,
        error: { message: "x" },
      },
    },
    {
      name: "a skipped node has no times",
      prev: { status: "pending" },
      event: { nodeId: "a", status: "skipped", attempt: 0, at: at(5) },
      expected: { status: "skipped", attempts: 0, finishedAt: null, durationMs: null },
    },
    {
      name: "pending (a retried execution) clears the times and the error",
      prev: {
        status: "failed",
        attempts: 2,
        startedAt: at(1),
        finishedAt: at(2),
        durationMs: 1,
        error: { message: "x" },
      },
      event: { nodeId: "a", status: "pending", attempt: 2, at: at(9) },
      expected: {
        status: "pending",
        attempts: 2,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        error: null,
      },
    },
    {
      name: "a loop's progress is kept on the node",
      prev: { status: "running", attempts: 1, startedAt: at(1) },
      event: {
        nodeId: "l",
        status: "running",
        attempt: 1,
        at: at(3),
        progress: { done: 2, failed: 1, total: 5 },
      },
      expected: {
        status: "running",
        attempts: 1,
        startedAt: at(1),
        finishedAt: null,
        durationMs: null,
        error: null,
        progress: { done: 2, failed: 1, total: 5 },
      },
    },
    {
      name: "a waiting node shows what it waits for",
      prev: { status: "running", attempts: 1, startedAt: at(1) },
      event: {
        nodeId: "w",
        status: "waiting",
        attempt: 1,
        at: at(3),
        waiting: { for: "approval", approvalUrl: "/approve/t", resumeUrl: "/api/resume/t" },
      },
      expected: {
        status: "waiting",
        attempts: 1,
        startedAt: at(1),
        finishedAt: null,
        durationMs: null,
        error: null,
        waiting: { for: "approval", approvalUrl: "/approve/t", resumeUrl: "/api/resume/t" },
      },
    },
    {
      name: "a resumed wait node drops its waiting fields",
      prev: { status: "waiting", attempts: 1, startedAt: at(1), waiting: { for: "time", until: at(100) } },
      event: { nodeId: "w", status: "succeeded", attempt: 1, at: at(101), output: {} },
      expected: {
        status: "succeeded",
        attempts: 1,
        startedAt: at(1),
        finishedAt: at(101),
        durationMs: 100,
        output: {},
      },
    },
  ])("$name", ({ prev, event, expected }) => {
    const before = structuredClone(prev);
    expect(applyNodeEvent(prev, event)).toEqual(expected);
    expect(prev).toEqual(before);
  });
});

describe("reduceEvents", () => {
  it("keeps a loop body node's own status while its iterations report, one view per iteration path", () => {
    const events: EngineEvent[] = [
      {
        type: "node",
        nodeId: "loop",
        status: "running",
        attempt: 1,
        at: at(1),
        progress: { done: 0, failed: 0, total: 2 },
      },
      { type: "node", nodeId: "body", status: "running", attempt: 1, at: at(2) },
      { type: "node", nodeId: "body", status: "running", attempt: 1, at: at(3), iteration: [0] },
      { type: "node", nodeId: "body", status: "running", attempt: 1, at: at(3), iteration: [1, 0] },
      {
        type: "node",
        nodeId: "body",
        status: "succeeded",
        attempt: 1,
        at: at(8),
        iteration: [0],
        output: "a",
      },
      {
        type: "node",
        nodeId: "body",
        status: "failed",
        attempt: 1,
        at: at(9),
        iteration: [1, 0],
        error: { message: "x" },
      },
      {
        type: "node",
        nodeId: "loop",
        status: "running",
        attempt: 1,
        at: at(9),
        progress: { done: 1, failed: 1, total: 2 },
      },
    ];
    const s = reduceEvents(state(), events, options);
    expect(s.nodes.body).toMatchObject({ status: "running", startedAt: at(2) });
    expect(s.nodes.body).not.toHaveProperty("output");
    expect(s.iterations?.body?.[iterationKey([0])]).toMatchObject({
      status: "succeeded",
      output: "a",
      durationMs: 5,
    });
    expect(s.iterations?.body?.["1.0"]).toMatchObject({ status: "failed", error: { message: "x" } });
    expect(s.nodes.loop?.progress).toEqual({ done: 1, failed: 1, total: 2 });
    expect(s.progress).toEqual({ finished: 0, total: 2 });
  });

  it("applies a batch as the same events one by one, and leaves untouched nodes and the input alone", () => {
    const events: EngineEvent[] = [
      { type: "execution", status: "running", at: at(0), progress: { finished: 0, total: 2 } },
      { type: "node", nodeId: "loop", status: "running", attempt: 1, at: at(1) },
      { type: "log", at: at(2), nodeId: "loop", level: "info", message: "one" },
      { type: "partial", nodeId: "loop", at: at(2), text: "He" },
      { type: "node", nodeId: "loop", status: "succeeded", attempt: 1, at: at(4), output: 1 },
      { type: "log", at: at(5), level: "warn", message: "two" },
      {
        type: "execution",
        status: "succeeded",
        at: at(6),
        progress: { finished: 2, total: 2 },
        outputs: { o: 1 },
      },
      { type: "log", at: at(7), level: "info", message: "three" },
      { type: "log", at: at(8), level: "info", message: "four" },
    ];
    const initial = state();
    const frozen = structuredClone(initial);
    let one = initial;
    for (const event of events) one = reduceEvents(one, [event], options);
    const batched = reduceEvents(initial, events, options);
    expect(batched).toEqual(one);
    expect(initial).toEqual(frozen);
    expect(batched.nodes.body).toBe(initial.nodes.body);
    expect(batched).toMatchObject({
      status: "succeeded",
      startedAt: at(0),
      finishedAt: at(6),
      durationMs: 6,
      outputs: { o: 1 },
      partial: { loop: "He" },
      // the last execution event's count, not a recount: no node event came after it
      progress: { finished: 2, total: 2 },
    });
    expect(batched.logs.map((l) => l.message)).toEqual(["two", "three", "four"]);
    expect(batched.logs[1]).not.toHaveProperty("nodeId");
  });

  it("returns the same state for no events, and stamps the views it changes", () => {
    const initial = state();
    expect(reduceEvents(initial, [], options)).toBe(initial);
    const stamped = reduceEvents<
      NodeView & { single?: boolean },
      ExecutionView<NodeView & { single?: boolean }>
    >(
      { ...initial, nodes: { a: { status: "succeeded", single: true } } },
      [{ type: "node", nodeId: "a", status: "running", attempt: 1, at: at(1) }],
      { blank: { status: "pending" }, maxLogs: 10, stamp: { single: false } },
    );
    expect(stamped.nodes.a).toMatchObject({ status: "running", single: false });
    expect(stamped.progress).toEqual(initial.progress);
  });
});
