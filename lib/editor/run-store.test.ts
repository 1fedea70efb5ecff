import { describe, expect, it } from "vitest";
import { createRunStore, isActive, runBadge } from "./run-store";

const at = "2026-01-01T00:00:00.000Z";

describe("run store", () => {
  it("follows a run from snapshot through node and execution events", () => {
    const run = createRunStore();
    run.getState().starting();
    expect(isActive(run.getState().status)).toBe(true);
    run.getState().applySnapshot({
      id: "x1",
      status: "running",
      progress: { finished: 0, total: 2 },
      nodes: { a: { status: "pending" }, b: { status: "pending" } },
    });
    const before = run.getState().nodes;
    run.getState().applyNode({ nodeId: "a", status: "running", attempt: 1, at });
    expect(run.getState().nodes.a).toMatchObject({ status: "running", startedAt: at, attempts: 1 });
    expect(run.getState().nodes.b).toBe(before.b);
    run.getState().applyNode({
      nodeId: "a",
      status: "failed",
      attempt: 2,
      at,
      error: { message: "boom" },
      durationMs: 5,
    });
    expect(run.getState().nodes.a).toMatchObject({
      status: "failed",
      attempts: 2,
      error: { message: "boom" },
      durationMs: 5,
    });
    run.getState().applyPartial({ nodeId: "b", at, text: "Hel" });
    run.getState().applyPartial({ nodeId: "b", at, text: "Hello" });
    expect(run.getState().partial.b).toBe("Hello");
    run.getState().applyExecution({
      status: "failed",
      at,
      progress: { finished: 2, total: 2 },
      error: { message: "boom", nodeId: "a" },
    });
    expect(run.getState().status).toBe("failed");
    expect(isActive(run.getState().status)).toBe(false);
    expect(run.getState().error).toEqual({ message: "boom", nodeId: "a" });
  });

  it("applies a batch of events with one state change, in order", () => {
    const run = createRunStore();
    run.getState().applySnapshot({
      id: "x",
      status: "running",
      nodes: { a: { status: "pending" }, c: { status: "pending" } },
    });
    const untouched = run.getState().nodes.c;
    let changes = 0;
    const unsubscribe = run.subscribe(() => changes++);
    run.getState().applyBatch([
      { type: "node", nodeId: "a", status: "running", attempt: 1, at },
      { type: "log", at, level: "warn", message: "retrying", nodeId: "a" },
      { type: "partial", nodeId: "a", at, text: "Hi" },
      { type: "node", nodeId: "a", status: "succeeded", attempt: 1, at, output: 1, durationMs: 2 },
      { type: "node", nodeId: "b", status: "skipped", attempt: 0, at },
    ]);
    unsubscribe();
    expect(changes).toBe(1);
    expect(run.getState().nodes.a).toMatchObject({
      status: "succeeded",
      output: 1,
      startedAt: at,
      finishedAt: at,
    });
    expect(run.getState().nodes.b?.status).toBe("skipped");
    expect(run.getState().nodes.c).toBe(untouched);
    expect(run.getState().logs.map((l) => l.message)).toEqual(["retrying"]);
    expect(run.getState().partial.a).toBe("Hi");
  });

  it("keeps a loop body node's status while its iterations report, and a loop's progress", () => {
    const run = createRunStore();
    run.getState().applySnapshot({ id: "x", status: "running", nodes: { body: { status: "pending" } } });
    run.getState().applyBatch([
      { type: "node", nodeId: "body", status: "running", attempt: 1, at },
      {
        type: "node",
        nodeId: "body",
        status: "failed",
        attempt: 1,
        at,
        iteration: [2],
        error: { message: "x" },
      },
      {
        type: "node",
        nodeId: "loop",
        status: "running",
        attempt: 1,
        at,
        progress: { done: 2, failed: 1, total: 4 },
      },
    ]);
    expect(run.getState().nodes.body?.status).toBe("running");
    expect(run.getState().iterations.body?.["2"]).toMatchObject({
      status: "failed",
      error: { message: "x" },
    });
    expect(run.getState().nodes.loop?.progress).toEqual({ done: 2, failed: 1, total: 4 });
    run.getState().starting();
    expect(run.getState().iterations).toEqual({});
  });

  it("keeps the newest log lines only", () => {
    const run = createRunStore();
    for (let i = 0; i < 600; i++) run.getState().applyLog({ at, level: "info", message: `line ${i}` });
    expect(run.getState().logs).toHaveLength(500);
    expect(run.getState().logs[0]?.message).toBe("line 100");
  });

  it("records single-node runs in place", () => {
    const run = createRunStore();
    run.getState().singleStarted("t");
    expect(run.getState().singleRunning.t).toBe(true);
    expect(run.getState().nodes.t?.status).toBe("running");
    run
      .getState()
      .applySingle({ nodeId: "t", status: "succeeded", output: { doubled: 42 }, durationMs: 3 }, { n: 21 });
    expect(run.getState().singleRunning).toEqual({});
    expect(run.getState().nodes.t).toMatchObject({
      status: "succeeded",
      output: { doubled: 42 },
      input: { n: 21 },
      single: true,
    });
    run.getState().singleStarted("u");
    run.getState().singleFailed("u", "no upstream output yet");
    expect(run.getState().nodes.u).toMatchObject({
      status: "failed",
      error: { message: "no upstream output yet" },
    });
  });

  it("keeps the run options across runs", () => {
    const run = createRunStore({ mode: "queued" });
    run.getState().setInputsText('{"a":1}');
    run.getState().starting();
    expect(run.getState().mode).toBe("queued");
    expect(run.getState().inputsText).toBe('{"a":1}');
  });

  it("treats a snapshot's null input of a node not yet started as unknown, and fills inputs in later", () => {
    const run = createRunStore();
    run.getState().starting();
    run.getState().applySnapshot({
      id: "x1",
      status: "running",
      nodes: { fetch: { status: "pending", input: null }, use: { status: "pending", input: null } },
    });
    expect(run.getState().nodes.use).not.toHaveProperty("input");
    run.getState().applyNode({ nodeId: "use", status: "succeeded", attempt: 1, at, output: 1 });
    const response = { status: 200, body: { ok: true } };
    run.getState().applyInputs("other", { use: { status: "succeeded", input: response } });
    expect(run.getState().nodes.use?.input).toBeUndefined();
    run.getState().applyInputs("x1", { use: { status: "succeeded", input: response } });
    expect(run.getState().nodes.use).toMatchObject({ status: "succeeded", output: 1, input: response });
  });

  it.each([
    {
      name: "no run",
      state: { status: undefined, synced: false, progress: undefined, nodes: {} },
      badge: undefined,
    },
    {
      name: "the node colors, not a lagging execution count",
      state: {
        status: "running" as const,
        synced: true,
        progress: { finished: 1, total: 6 },
        nodes: {
          a: { status: "succeeded" as const },
          b: { status: "succeeded" as const },
          c: { status: "skipped" as const },
          d: { status: "failed" as const },
          e: { status: "running" as const },
          f: { status: "pending" as const },
        },
      },
      badge: { status: "running", finished: 4, total: 6 },
    },
    {
      name: "running while a node still shows running after the execution ended",
      state: {
        status: "failed" as const,
        synced: true,
        progress: { finished: 2, total: 2 },
        nodes: { a: { status: "failed" as const }, b: { status: "running" as const } },
      },
      badge: { status: "running", finished: 1, total: 2 },
    },
    {
      name: "not failed before the nodes are known (all grey)",
      state: { status: "failed" as const, synced: false, progress: undefined, nodes: {} },
      badge: { status: "running", finished: 0, total: 0 },
    },
    {
      name: "failed once the nodes show it",
      state: {
        status: "failed" as const,
        synced: true,
        progress: { finished: 2, total: 3 },
        nodes: {
          a: { status: "succeeded" as const },
          b: { status: "failed" as const },
          c: { status: "pending" as const },
        },
      },
      badge: { status: "failed", finished: 2, total: 3 },
    },
    {
      name: "single-node results are not part of the run",
      state: {
        status: "succeeded" as const,
        synced: true,
        progress: { finished: 1, total: 1 },
        nodes: { a: { status: "succeeded" as const }, b: { status: "succeeded" as const, single: true } },
      },
      badge: { status: "succeeded", finished: 1, total: 1 },
    },
  ])("badge: $name", ({ state, badge }) => {
    expect(runBadge(state as Parameters<typeof runBadge>[0])).toEqual(badge);
  });
});
