import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as runRoute } from "@/app/api/workflows/[id]/run/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { executions, nodeRuns, workflows } from "@/lib/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { insertWorkflow, tinyWorkflow } from "./testing/fixtures";

/**
 * `mode: "immediate"` run requests insert the execution with the workflow's version and
 * definition read by the same statement (no separate read): what the ordinary path checks must
 * still hold.
 */
const post = (id: string, body: unknown) =>
  runRoute(
    new Request(`http://localhost/api/workflows/${id}/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ id }) },
  );

async function counts(database: Database) {
  const [row] = await query<{ executions: number; node_runs: number; events: number }>(
    database.db,
    sql`select (select count(*)::int from executions) as executions, (select count(*)::int from node_runs) as node_runs,
      (select count(*)::int from execution_events) as events`,
  );
  return row;
}

describe("immediate run requests: one statement inserts the execution and reads the workflow", () => {
  let database: Database;
  let workflowId: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    setDatabase(database);
    // The default trigger is the first trigger node in the list, wherever it is.
    const tiny = tinyWorkflow();
    const definition: WorkflowDefinition = {
      ...tiny,
      nodes: [...tiny.nodes.slice(1), tiny.nodes[0]!, { id: "second", type: "trigger", config: {} }],
    };
    workflowId = await insertWorkflow(database.db, definition);
    await database.db.update(workflows).set({ version: 3 }).where(eq(workflows.id, workflowId));
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database?.close();
  });

  it("stores the workflow's version, definition and first trigger, and runs it", async () => {
    const res = await post(workflowId, { mode: "immediate", inputs: { n: 21 } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "succeeded", mode: "immediate" });
    const [row] = await database.db.select().from(executions).where(eq(executions.id, body.executionId));
    expect(row).toMatchObject({
      workflowVersion: 3,
      triggerId: "start",
      requestedMode: "immediate",
      mode: "immediate",
      status: "succeeded",
      fence: 1,
      claims: 1,
      inputs: { n: 21 },
    });
    expect(row?.definition.nodes.map((n) => n.id)).toEqual(["double", "out", "start", "second"]);
    const nodes = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, body.executionId));
    expect(nodes.find((n) => n.nodeId === "double")?.output).toBe(42);
  });

  it("runs the trigger asked for", async () => {
    const res = await post(workflowId, { mode: "immediate", triggerId: "second", inputs: { n: 1 } });
    const body = await res.json();
    const [row] = await database.db.select().from(executions).where(eq(executions.id, body.executionId));
    expect(row?.triggerId).toBe("second");
  });

  it.each([["double"], ["nope"]])("refuses triggerId %s with 422 and keeps nothing", async (triggerId) => {
    const before = await counts(database);
    const res = await post(workflowId, { mode: "immediate", triggerId });
    expect(res.status).toBe(422);
    const err = (await res.json()).error;
    expect(err.issues.map((i: { path: string }) => i.path)).toContain("triggerId");
    expect(await counts(database)).toEqual(before);
  });

  it("answers 404 for an unknown workflow and stores nothing", async () => {
    const before = await counts(database);
    const res = await post("no-such-workflow", { mode: "immediate" });
    expect(res.status).toBe(404);
    expect(await counts(database)).toEqual(before);
  });

  it("answers a repeated idempotency key with the first execution", async () => {
    const first = await (await post(workflowId, { mode: "immediate", idempotencyKey: "k1" })).json();
    const again = await post(workflowId, { mode: "immediate", idempotencyKey: "k1" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ executionId: first.executionId, deduplicated: true });
  });

  it("answers 409 for an executionId already taken", async () => {
    const executionId = randomUUID();
    expect((await post(workflowId, { mode: "immediate", executionId })).status).toBe(200);
    const res = await post(workflowId, { mode: "immediate", executionId });
    expect(res.status).toBe(409);
  });
});
