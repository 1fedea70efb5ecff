import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executionEvents, executions, nodeRuns, workflows } from "@/lib/db/schema";
import { claimExecutions } from "@/lib/queue/claim-executions";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { runClaimed } from "./run-execution";

const definition: WorkflowDefinition = {
  version: 1,
  name: "settle",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "t", type: "transform", config: { expression: "1" } },
  ],
  edges: [{ source: "start", target: "t" }],
};

/** The runner stores the checkpoints not written yet in its settle statement (one commit). */
describe("runner settle with the last checkpoints", () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(workflows).values({ id: "w", name: "settle", definition });
  });
  afterAll(async () => {
    await database?.close();
  });

  async function claim(id: string) {
    await database.db
      .insert(executions)
      .values({ id, workflowId: "w", workflowVersion: 1, mode: "queued", status: "queued", definition });
    const [claimed] = await claimExecutions(database.db, { owner: "t", limit: 1, leaseMs: 60_000 });
    expect(claimed?.id).toBe(id);
    return claimed!;
  }

  it("deferred (pure) checkpoints land with the final status", async () => {
    const claimed = await claim("ok");
    const result = await runClaimed(database, claimed, { leaseMs: 60_000 }, async ({ ports }) => {
      const at = new Date().toISOString();
      const cp = {
        nodeId: "t",
        status: "succeeded" as const,
        attempts: 1,
        output: 1,
        startedAt: at,
        finishedAt: at,
      };
      await ports.journal.save(cp);
      return { status: "succeeded", outputs: { t: 1 }, nodes: { t: cp } };
    });
    expect(result.status).toBe("succeeded");
    const [row] = await database.db.select().from(executions).where(eq(executions.id, "ok"));
    expect(row).toMatchObject({ status: "succeeded", outputs: { t: 1 } });
    const nodes = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, "ok"));
    expect(nodes.map((n) => [n.nodeId, n.status, n.output])).toEqual([["t", "succeeded", 1]]);
  });

  it("a last checkpoint that cannot be stored fails the run with code journal, without it", async () => {
    const claimed = await claim("bad");
    const result = await runClaimed(database, claimed, { leaseMs: 60_000 }, async ({ ports }) => {
      const cp = { nodeId: "t", status: "succeeded" as const, attempts: 1, startedAt: "not a time" };
      await ports.journal.save(cp);
      return { status: "succeeded", outputs: {}, nodes: { t: cp } };
    });
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({
      code: "journal",
      message: expect.stringContaining("could not record"),
    });
    // The database's message, not the driver's copy of the whole statement.
    expect(result.error?.message).not.toContain("jsonb_to_recordset");
    const [row] = await database.db.select().from(executions).where(eq(executions.id, "bad"));
    expect(row).toMatchObject({ status: "failed", error: { code: "journal" }, leaseOwner: null });
    expect(await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, "bad"))).toEqual([]);
    const events = await database.db
      .select()
      .from(executionEvents)
      .where(eq(executionEvents.executionId, "bad"));
    expect(events.map((e) => [e.type, (e.payload as { status?: string }).status])).toEqual([
      ["execution", "failed"],
    ]);
  });
});
