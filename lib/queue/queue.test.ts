import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executionEvents, executions, nodeRuns, workflows } from "@/lib/db/schema";
import { encodeEvent } from "@/lib/events/store";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { claimExecutions } from "./claim-executions";
import { heartbeatExecution } from "./heartbeat-execution";
import { pruneExecutions } from "./prune-executions";
import { saveNodeRuns } from "./save-node-runs";
import { settleExecution } from "./settle-execution";

const definition: WorkflowDefinition = {
  version: 1,
  name: "q",
  nodes: [{ id: "t", type: "trigger", config: {} }],
  edges: [],
};

const postgresUp = await postgresAvailable();

/** The queue statements, on each backend. */
for (const kind of ["pglite", "postgres"] as const) {
  describe(`queue SQL: ${kind}`, () => {
    const enabled = kind === "pglite" || postgresUp;
    let database: Database;
    beforeAll(async () => {
      if (!enabled) return;
      database = await createTestDatabase(kind);
      await database.db.insert(workflows).values({ id: "w", name: "q", definition });
    });
    afterAll(async () => {
      await database?.close();
    });
    const base = { workflowId: "w", workflowVersion: 1, mode: "queued", definition };

    it.skipIf(!enabled)("fences every write of a runner whose execution was claimed again", async () => {
      const { db } = database;
      await db.insert(executions).values({ ...base, id: "f", status: "queued" });
      const [first] = await claimExecutions(db, { owner: "a", limit: 5, leaseMs: 1 });
      expect(first).toMatchObject({ id: "f", fence: 1, claims: 1 });
      await new Promise((r) => setTimeout(r, 20));
      const [second] = await claimExecutions(db, { owner: "b", limit: 5, leaseMs: 60_000 });
      expect(second).toMatchObject({ id: "f", fence: 2, claims: 2 });
      const stale = { id: "f", fence: 1 };
      expect(await heartbeatExecution(db, { ...stale, leaseMs: 60_000 })).toEqual({ held: false });
      expect(
        await saveNodeRuns(db, {
          executionId: "f",
          fence: 1,
          checkpoints: [{ nodeId: "t", status: "succeeded", attempts: 1 }],
        }),
      ).toBe(false);
      expect(await settleExecution(db, { ...stale, to: "failed", events: [] })).toBeUndefined();
      expect(await settleExecution(db, { ...stale, to: "queued", events: [] })).toBeUndefined();
      expect(await db.select().from(nodeRuns).where(eq(nodeRuns.executionId, "f"))).toEqual([]);
      expect((await heartbeatExecution(db, { id: "f", fence: 2, leaseMs: 60_000 })).held).toBe(true);
      expect(
        await saveNodeRuns(db, {
          executionId: "f",
          fence: 2,
          checkpoints: [{ nodeId: "t", status: "succeeded", attempts: 1, output: { bad: "a\u0000b" } }],
        }),
      ).toBe(true);
      expect(
        await settleExecution(db, { id: "f", fence: 2, to: "succeeded", outputs: { n: 1n }, events: [] }),
      ).toBeDefined();
      const [row] = await db.select().from(executions).where(eq(executions.id, "f"));
      expect(row).toMatchObject({ status: "succeeded", leaseOwner: null, outputs: { n: "1" } });
    });

    it.skipIf(!enabled)(
      "settles status and last events in one statement, only under the current fence",
      async () => {
        const { db } = database;
        await db.insert(executions).values({ ...base, id: "s", status: "queued" });
        await claimExecutions(db, { owner: "a", limit: 5, leaseMs: 60_000 });
        const items = [
          encodeEvent({ type: "log", at: "t", level: "info", message: "last log" }),
          encodeEvent({
            type: "execution",
            status: "succeeded",
            at: "t",
            progress: { finished: 1, total: 1 },
          }),
        ];
        expect(
          await settleExecution(db, { id: "s", fence: 0, to: "succeeded", events: items }),
        ).toBeUndefined();
        expect(await db.select().from(executionEvents).where(eq(executionEvents.executionId, "s"))).toEqual(
          [],
        );
        expect(
          await settleExecution(db, { id: "s", fence: 1, to: "succeeded", outputs: { o: 1 }, events: items }),
        ).toBe(2);
        const [row] = await db.select().from(executions).where(eq(executions.id, "s"));
        expect(row).toMatchObject({ status: "succeeded", outputs: { o: 1 }, eventSeq: 2, leaseOwner: null });
        expect(row?.finishedAt).not.toBeNull();
        const events = await db
          .select()
          .from(executionEvents)
          .where(eq(executionEvents.executionId, "s"))
          .orderBy(executionEvents.seq);
        expect(events.map((e) => [e.seq, e.type, e.payload])).toEqual([
          [1, "log", { at: "t", level: "info", message: "last log" }],
          [2, "execution", { status: "succeeded", at: "t", progress: { finished: 1, total: 1 } }],
        ]);
        // Settled once: a second settle (even with the right fence) finds it no longer running.
        expect(await settleExecution(db, { id: "s", fence: 1, to: "failed", events: items })).toBeUndefined();

        await db.insert(executions).values({ ...base, id: "p", status: "queued", control: "pause" });
        await claimExecutions(db, { owner: "a", limit: 5, leaseMs: 60_000 });
        expect(await settleExecution(db, { id: "p", fence: 1, to: "paused", events: [] })).toBe(0);
        const [paused] = await db.select().from(executions).where(eq(executions.id, "p"));
        expect(paused).toMatchObject({ status: "paused", control: null, leaseOwner: null, finishedAt: null });
      },
    );

    it.skipIf(!enabled)("prunes only finished executions past retention, in batches", async () => {
      const { db } = database;
      const old = new Date(Date.now() - 40 * 86_400_000);
      await db.insert(executions).values([
        { ...base, id: "old1", status: "succeeded", finishedAt: old },
        { ...base, id: "old2", status: "failed", finishedAt: old },
        { ...base, id: "old3", status: "cancelled", finishedAt: old },
        { ...base, id: "oldq", status: "queued", createdAt: old },
        { ...base, id: "new", status: "succeeded", finishedAt: new Date() },
      ]);
      await db.insert(nodeRuns).values({ executionId: "old1", nodeId: "t", status: "succeeded" });
      expect(await pruneExecutions(db, { retentionDays: 30, batchSize: 2 })).toBe(2);
      expect(await pruneExecutions(db, { retentionDays: 30, batchSize: 2 })).toBe(1);
      expect(await pruneExecutions(db, { retentionDays: 30, batchSize: 2 })).toBe(0);
      const left = await db
        .select({ id: executions.id })
        .from(executions)
        .where(sql`id like 'old%' or id = 'new'`);
      expect(left.map((r) => r.id).sort()).toEqual(["new", "oldq"]);
      expect(await db.select().from(nodeRuns).where(eq(nodeRuns.executionId, "old1"))).toEqual([]);
    });
  });
}
