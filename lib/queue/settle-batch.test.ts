import { asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executionEvents, executions, nodeRuns, workflows } from "@/lib/db/schema";
import { encodeEvent } from "@/lib/events/store";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { claimExecutions } from "./claim-executions";
import { settleExecution, settleExecutions } from "./settle-execution";

const definition: WorkflowDefinition = {
  version: 1,
  name: "q",
  nodes: [{ id: "t", type: "trigger", config: {} }],
  edges: [],
};
const log = (message: string) => encodeEvent({ type: "log", at: "t", level: "info", message });

/** Settles of many executions in one statement (group commit): each keeps its own fence and numbering. */
describe("batched settles", () => {
  let database: Database;
  const base = { workflowId: "w", workflowVersion: 1, mode: "queued", definition };
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(workflows).values({ id: "w", name: "q", definition });
  });
  afterAll(async () => {
    await database?.close();
  });

  it("settles several executions in one statement, each under its own fence", async () => {
    const { db } = database;
    const ids = ["b1", "b2", "b3", "b4"];
    await db.insert(executions).values(ids.map((id) => ({ ...base, id, status: "queued" })));
    const claims = await claimExecutions(db, { owner: "a", limit: 10, leaseMs: 60_000 });
    expect(claims.map((c) => c.id).sort()).toEqual(ids);
    // b1 already has an event: the batch numbers on from it.
    await db.update(executions).set({ eventSeq: 1 }).where(eq(executions.id, "b1"));
    await db.insert(executionEvents).values({ executionId: "b1", seq: 1, type: "log", payload: {} });
    await db.insert(nodeRuns).values({ executionId: "b2", nodeId: "t", status: "running" });
    const lasts = await settleExecutions(db, [
      {
        id: "b1",
        fence: 1,
        to: "succeeded",
        outputs: { o: 1 },
        events: [log("one"), log("two")],
        checkpoints: [{ nodeId: "t", status: "succeeded", attempts: 1, output: { x: "a\u0000b" } }],
      },
      {
        id: "b2",
        fence: 1,
        to: "failed",
        error: { message: "boom", nodeId: "t" },
        events: [log("three")],
        checkpoints: [{ nodeId: "t", status: "failed", attempts: 2, error: { message: "boom" } }],
      },
      // Stale fence: nothing of it lands.
      {
        id: "b3",
        fence: 0,
        to: "succeeded",
        events: [log("never")],
        checkpoints: [{ nodeId: "t", status: "succeeded", attempts: 1 }],
      },
      { id: "b4", fence: 1, to: "queued", handedOff: true, outputs: { ignored: true }, events: [] },
    ]);
    expect(lasts).toEqual([3, 1, undefined, 0]);

    const rows = await db.select().from(executions).where(inArray(executions.id, ids)).orderBy(executions.id);
    expect(rows.map((r) => [r.id, r.status, r.leaseOwner, r.eventSeq])).toEqual([
      ["b1", "succeeded", null, 3],
      ["b2", "failed", null, 1],
      ["b3", "running", "a", 0],
      ["b4", "queued", null, 0],
    ]);
    expect(rows[0]).toMatchObject({ outputs: { o: 1 }, error: null });
    expect(rows[0]?.finishedAt).not.toBeNull();
    expect(rows[1]).toMatchObject({ error: { message: "boom", nodeId: "t" } });
    expect(rows[3]).toMatchObject({ outputs: null, finishedAt: null, handedOff: true });

    const events = await db
      .select()
      .from(executionEvents)
      .where(inArray(executionEvents.executionId, ids))
      .orderBy(asc(executionEvents.executionId), asc(executionEvents.seq));
    expect(events.map((e) => [e.executionId, e.seq, (e.payload as { message?: string }).message])).toEqual([
      ["b1", 1, undefined],
      ["b1", 2, "one"],
      ["b1", 3, "two"],
      ["b2", 1, "three"],
    ]);
    const nodes = await db
      .select()
      .from(nodeRuns)
      .where(inArray(nodeRuns.executionId, ids))
      .orderBy(nodeRuns.executionId);
    expect(nodes.map((n) => [n.executionId, n.status, n.attempts, n.output])).toEqual([
      ["b1", "succeeded", 1, { x: "a\ufffdb" }],
      ["b2", "failed", 2, null],
    ]);
  });

  it("group-commits concurrent settles and answers each its own result", async () => {
    const { db } = database;
    const ids = Array.from({ length: 20 }, (_, i) => `g${i}`);
    await db.insert(executions).values(ids.map((id) => ({ ...base, id, status: "queued" })));
    await claimExecutions(db, { owner: "a", limit: 50, leaseMs: 60_000 });
    const lasts = await Promise.all(
      ids.map((id, i) =>
        settleExecution(db, {
          id,
          // Every fifth one is stale.
          fence: i % 5 === 0 ? 7 : 1,
          to: "succeeded",
          events: Array.from({ length: i % 3 }, (_, k) => log(`${id}.${k}`)),
          checkpoints: [{ nodeId: "t", status: "succeeded", attempts: 1, output: i }],
        }),
      ),
    );
    expect(lasts).toEqual(ids.map((_, i) => (i % 5 === 0 ? undefined : i % 3)));
    const rows = await db.select().from(executions).where(inArray(executions.id, ids));
    const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    for (const [i, id] of ids.entries()) expect(status[id], id).toBe(i % 5 === 0 ? "running" : "succeeded");
    const nodes = await db.select().from(nodeRuns).where(inArray(nodeRuns.executionId, ids));
    expect(nodes.map((n) => n.output).sort((a, b) => Number(a) - Number(b))).toEqual(
      ids.map((_, i) => i).filter((i) => i % 5 !== 0),
    );
  });

  it("a settle that fails alone does not fail the others of its batch", async () => {
    const { db } = database;
    await db.insert(executions).values(["e1", "e2"].map((id) => ({ ...base, id, status: "queued" })));
    await claimExecutions(db, { owner: "a", limit: 10, leaseMs: 60_000 });
    const results = await Promise.allSettled([
      settleExecution(db, { id: "e1", fence: 1, to: "succeeded", events: [log("fine")] }),
      // Not a valid event item: the batch statement fails, then each settle is tried on its own.
      settleExecution(db, { id: "e2", fence: 1, to: "succeeded", events: ["{not json"] }),
    ]);
    expect(results[0]).toEqual({ status: "fulfilled", value: 1 });
    expect(results[1]?.status).toBe("rejected");
    const rows = await db
      .select()
      .from(executions)
      .where(inArray(executions.id, ["e1", "e2"]));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ e1: "succeeded", e2: "running" });
  });
});
