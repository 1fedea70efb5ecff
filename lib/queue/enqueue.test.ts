import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executions, workflows } from "@/lib/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { enqueueExecution } from "./enqueue-execution";

const definition: WorkflowDefinition = {
  version: 1,
  name: "q",
  nodes: [{ id: "t", type: "trigger", config: {} }],
  edges: [],
};

/** The hand-built insert answers the row exactly as drizzle reads it back. */
describe("enqueueExecution", () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(workflows).values({ id: "w", name: "q", definition });
  });
  afterAll(async () => {
    await database?.close();
  });

  it("returns the inserted row as drizzle maps it (jsonb, dates, nulls, SQL values, defaults)", async () => {
    const runAfter = new Date("2030-01-02T03:04:05.678Z");
    const { row, created } = await enqueueExecution(database.db, {
      id: "e1",
      workflowId: "w",
      workflowVersion: 1,
      status: "running",
      mode: "immediate",
      requestedMode: "auto",
      triggerId: "t",
      definition,
      inputs: { n: 1, nested: { list: [1, "two", null] }, text: 'quote " and \\ backslash' },
      complexity: { score: 3, reasons: ["x"] },
      priority: -5,
      tags: ["a", "b"],
      timeoutMs: null,
      idempotencyKey: null,
      budget: { maxTokens: 10 },
      fence: 1,
      claims: 1,
      leaseOwner: "me",
      leaseExpiresAt: sql`now() + interval '1 minute'` as unknown as Date,
      startedAt: sql`now()` as unknown as Date,
      runAfter,
    });
    expect(created).toBe(true);
    const [read] = await database.db.select().from(executions).where(eq(executions.id, "e1"));
    expect(row).toEqual(read);
    expect(row.runAfter).toEqual(runAfter);
    expect(row.leaseExpiresAt).toBeInstanceOf(Date);
    expect(row.createdAt).toBeInstanceOf(Date);
    expect(row).toMatchObject({
      priority: -5,
      tags: ["a", "b"],
      timeoutMs: null,
      eventSeq: 0,
      llmCostUsd: 0,
    });
  });

  it("answers the first execution for a repeated idempotency key", async () => {
    const values = {
      workflowId: "w",
      workflowVersion: 1,
      status: "queued",
      mode: "queued",
      definition,
      idempotencyKey: "k",
    };
    const first = await enqueueExecution(database.db, { ...values, id: "k1" });
    const again = await enqueueExecution(database.db, { ...values, id: "k2" });
    expect(first.created).toBe(true);
    expect(again).toEqual({ row: first.row, created: false });
  });
});
