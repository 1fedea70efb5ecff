import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executionEvents, executions, nodeRuns } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { readEvents } from "@/lib/events/store";
import { enqueueExecution } from "@/lib/queue/enqueue-execution";
import { createTestDatabase } from "@/lib/testing/db";
import { drainQueue } from "./drain";
import { createPostgresJournal } from "./postgres-journal";
import { httpChain, insertWorkflow, tinyWorkflow } from "./testing/fixtures";
import { type HitServer, startHitServer } from "./testing/hit-server";

describe("checkpoints, events and the final status", () => {
  let database: Database;
  let server: HitServer;
  beforeAll(async () => {
    process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
    resetEnv();
    database = await createTestDatabase();
    server = await startHitServer();
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  const runsOf = (id: string) => database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, id));

  it("the journal stores a running checkpoint with the next write or on sync, a settled one before save resolves", async () => {
    const id = `j-${Date.now()}`;
    const workflowId = await insertWorkflow(database.db, tinyWorkflow());
    await database.db.insert(executions).values({
      id,
      workflowId,
      workflowVersion: 1,
      status: "running",
      mode: "queued",
      definition: tinyWorkflow(),
      fence: 1,
    });
    const journal = createPostgresJournal(database.db, id, 1);
    await journal.save({ nodeId: "start", status: "running", attempts: 1, input: { q: 1 } });
    expect(await runsOf(id)).toEqual([]);
    await journal.sync();
    expect((await runsOf(id)).map((r) => [r.nodeId, r.status, r.input])).toEqual([
      ["start", "running", { q: 1 }],
    ]);
    await journal.save({ nodeId: "double", status: "running", attempts: 1 });
    await journal.save({ nodeId: "start", status: "succeeded", attempts: 1, output: 2 });
    const rows = (await runsOf(id)).map((r) => [r.nodeId, r.status]).sort();
    expect(rows).toEqual([
      ["double", "running"],
      ["start", "succeeded"],
    ]);
    const stale = createPostgresJournal(database.db, id, 0);
    await stale.save({ nodeId: "out", status: "running", attempts: 1 });
    await expect(stale.sync()).rejects.toThrow(/claimed by another runner/);
    expect(stale.fenced).toBe(true);
    expect((await runsOf(id)).map((r) => r.nodeId).sort()).toEqual(["double", "start"]);
  });

  it("a stored node event never runs ahead of its checkpoint; the terminal event lands with the status", async () => {
    const definition = httpChain(server.url, "ord", { slowMs: 300, length: 2 });
    const workflowId = await insertWorkflow(database.db, definition);
    const id = `ord-${Date.now()}`;
    await enqueueExecution(database.db, {
      id,
      workflowId,
      workflowVersion: 1,
      status: "queued",
      mode: "queued",
      definition,
    });
    const draining = drainQueue(database, { budgetMs: 30_000, pruneBatch: 0 });
    // Each time a node event is visible, its node's checkpoint must be visible with at least that status.
    const rank: Record<string, number> = { running: 1, succeeded: 2, failed: 2, skipped: 2, cancelled: 2 };
    let checked = 0;
    let seenTerminal = false;
    const end = Date.now() + 20_000;
    while (!seenTerminal && Date.now() < end) {
      const events = await readEvents(database.db, id, 0);
      const runs = new Map((await runsOf(id)).map((r) => [r.nodeId, r.status]));
      for (const e of events) {
        if (e.type === "node") {
          const nodeId = String(e.payload.nodeId);
          const stored = runs.get(nodeId);
          expect(
            stored,
            `checkpoint of ${nodeId} when its ${e.payload.status} event is stored`,
          ).toBeDefined();
          expect(rank[stored ?? ""] ?? 0).toBeGreaterThanOrEqual(rank[String(e.payload.status)] ?? 0);
          checked++;
        }
        if (e.type === "execution" && e.payload.status === "succeeded") seenTerminal = true;
      }
      if (seenTerminal) {
        const [row] = await database.db.select().from(executions).where(eq(executions.id, id));
        expect(row?.status).toBe("succeeded");
        expect(row?.eventSeq).toBe(events[events.length - 1]?.seq);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await draining;
    expect(seenTerminal).toBe(true);
    const h0Running = await database.db
      .select()
      .from(executionEvents)
      .where(and(eq(executionEvents.executionId, id), eq(executionEvents.type, "node")));
    // h0 and h1 each had a "running" event stored while they ran (300 ms each, events go out every 50 ms).
    expect(
      h0Running
        .filter((e) => (e.payload as { status: string }).status === "running")
        .map((e) => (e.payload as { nodeId: string }).nodeId),
    ).toEqual(expect.arrayContaining(["h0", "h1"]));
    expect(checked).toBeGreaterThan(0);
    const seqs = (await readEvents(database.db, id, 0)).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });
});
