import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executionEvents, executions, nodeRuns, workflows } from "@/lib/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { getExecutionDetail, listExecutions } from "./get-execution";

const definition: WorkflowDefinition = {
  version: 1,
  name: "w",
  nodes: [
    { id: "t", type: "trigger", config: {} },
    { id: "a", type: "transform", config: { expression: "1" } },
    { id: "b", type: "output", config: {} },
    { id: "island", type: "transform", config: { expression: "2" } },
  ],
  edges: [
    { source: "t", target: "a" },
    { source: "a", target: "b" },
  ],
};

describe("getExecutionDetail / listExecutions", () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await db.insert(workflows).values({ id: "w1", name: "w", definition });
    const base = { workflowId: "w1", workflowVersion: 1, mode: "queued", definition };
    await db.insert(executions).values([
      {
        ...base,
        id: "e1",
        status: "running",
        tags: ["x"],
        startedAt: new Date("2026-01-01T00:00:00Z"),
        createdAt: new Date("2026-01-01T00:00:00Z"),
        eventSeq: 2,
      },
      {
        ...base,
        id: "e2",
        status: "succeeded",
        startedAt: new Date("2026-01-02T00:00:00Z"),
        finishedAt: new Date("2026-01-02T00:00:01.5Z"),
        createdAt: new Date("2026-01-02T00:00:00Z"),
      },
      { ...base, id: "e3", status: "succeeded", nodeId: "a", createdAt: new Date("2026-01-03T00:00:00Z") },
    ]);
    await db.insert(nodeRuns).values([
      { executionId: "e1", nodeId: "t", status: "succeeded", attempts: 1, output: { q: 1 }, durationMs: 3 },
      { executionId: "e1", nodeId: "a", status: "running", attempts: 1, input: { q: 1 } },
    ]);
    await db.insert(executionEvents).values([
      { executionId: "e1", seq: 1, type: "node", payload: { nodeId: "t", status: "succeeded" } },
      {
        executionId: "e1",
        seq: 2,
        type: "log",
        payload: { at: "2026-01-01T00:00:01.000Z", nodeId: "a", level: "warn", message: "retrying" },
      },
    ]);
  });
  afterAll(() => database?.close());

  it("shows participating nodes, pending ones without a node run, logs and progress", async () => {
    const d = await getExecutionDetail(database.db, "e1");
    expect(d).toBeDefined();
    expect(Object.keys(d!.nodes).sort()).toEqual(["a", "b", "t"]);
    expect(d!.nodes.t).toMatchObject({ status: "succeeded", attempts: 1, output: { q: 1 }, durationMs: 3 });
    expect(d!.nodes.a).toMatchObject({ status: "running", input: { q: 1 } });
    expect(d!.nodes.b).toMatchObject({ status: "pending", attempts: 0, output: null });
    expect(d!.progress).toEqual({ finished: 1, total: 3 });
    expect(d!.logs).toEqual([
      { at: "2026-01-01T00:00:01.000Z", nodeId: "a", level: "warn", message: "retrying" },
    ]);
    expect(d!.tags).toEqual(["x"]);
    expect(d!.eventSeq).toBe(2);
    expect(d!.startedAt).toBe("2026-01-01T00:00:00.000Z");
    expect(d!.definition).toEqual(definition);
  });

  it("computes the duration and limits a single-node run to its node", async () => {
    expect((await getExecutionDetail(database.db, "e2"))!.durationMs).toBe(1500);
    const single = await getExecutionDetail(database.db, "e3");
    expect(Object.keys(single!.nodes)).toEqual(["a"]);
    expect(single!.nodeId).toBe("a");
  });

  it("is undefined for an unknown id", async () => {
    expect(await getExecutionDetail(database.db, "nope")).toBeUndefined();
  });

  it("lists newest first and pages with `before`", async () => {
    const all = await listExecutions(database.db, "w1");
    expect(all.map((e) => e.id)).toEqual(["e3", "e2", "e1"]);
    expect(all[0]!.nodeId).toBe("a");
    expect(all[1]).not.toHaveProperty("nodeId");
    const page = await listExecutions(database.db, "w1", { limit: 1, before: "e3" });
    expect(page.map((e) => e.id)).toEqual(["e2"]);
    expect(await listExecutions(database.db, "other")).toEqual([]);
  });
});
