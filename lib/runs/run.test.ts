import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as retryRoute } from "@/app/api/executions/[id]/retry/route";
import { GET as historyRoute } from "@/app/api/workflows/[id]/executions/route";
import { POST as runRoute } from "@/app/api/workflows/[id]/run/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { executions, nodeRuns } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { drainQueue } from "./drain";
import { getExecutionDetail } from "./get-execution";
import { httpChain, insertWorkflow, tinyWorkflow, waitForStatus } from "./testing/fixtures";
import { type HitServer, startHitServer } from "./testing/hit-server";

const post = (id: string, body: unknown) =>
  runRoute(
    new Request(`http://localhost/api/workflows/${id}/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { params: Promise.resolve({ id }) },
  );

async function tableCounts(database: Database) {
  const [row] = await query<{ executions: number; node_runs: number; events: number }>(
    database.db,
    sql`select (select count(*)::int from executions) as executions, (select count(*)::int from node_runs) as node_runs,
      (select count(*)::int from execution_events) as events`,
  );
  return row;
}

/** Table counts once background runs (kicked drains) have stopped writing. */
async function quiet(database: Database) {
  let last = await tableCounts(database);
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await tableCounts(database);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
}

describe("POST /api/workflows/:id/run", () => {
  let database: Database;
  let server: HitServer;
  let workflowId: string;
  beforeAll(async () => {
    process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
    process.env.IMMEDIATE_BUDGET_MS = "400";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    server = await startHitServer();
    workflowId = await insertWorkflow(database.db, tinyWorkflow());
  });
  afterAll(async () => {
    delete process.env.IMMEDIATE_BUDGET_MS;
    resetEnv();
    await drainQueue(database, { budgetMs: 5000 });
    setDatabase(undefined);
    await server?.close();
    await database?.close();
  });

  it("runs immediately inside the request", async () => {
    const res = await post(workflowId, { mode: "immediate", inputs: { n: 21 }, tags: ["a"] });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: "succeeded", mode: "immediate", outputs: { out: 42 } });
    expect(body.nodes.double).toMatchObject({ status: "succeeded", output: 42 });
    const detail = await getExecutionDetail(database.db, body.executionId);
    expect(detail).toMatchObject({ status: "succeeded", tags: ["a"], mode: "immediate" });
    expect(detail?.nodes.double?.output).toBe(42);
  });

  it("queues and a drain runs it", async () => {
    const res = await post(workflowId, { mode: "queued", inputs: { n: 5 } });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ status: "queued", mode: "queued" });
    // The request kicked an in-process drain; a cron drain may race it for the row.
    await drainQueue(database, { budgetMs: 5000 });
    const row = await waitForStatus(database.db, body.executionId);
    expect(row.status).toBe("succeeded");
    expect(row.outputs).toEqual({ out: 10 });
    const runs = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, body.executionId));
    expect(runs.map((r) => r.status).sort()).toEqual(["succeeded", "succeeded", "succeeded"]);
  });

  it("auto picks a mode and explains it", async () => {
    const res = await post(workflowId, { inputs: { n: 1 } });
    const body = await res.json();
    expect([200, 202]).toContain(res.status);
    expect(["immediate", "queued"]).toContain(body.mode);
    expect(typeof body.complexity.score).toBe("number");
    expect(Array.isArray(body.complexity.reasons)).toBe(true);
    await waitForStatus(database.db, body.executionId);
  });

  it("gives one execution for the same idempotency key sent 10 times at once", async () => {
    const before = await tableCounts(database);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(workflowId, { mode: "queued", idempotencyKey: "same-key", inputs: { n: 3 } }),
      ),
    );
    const bodies = await Promise.all(answers.map((r) => r.json()));
    const ids = new Set(bodies.map((b) => b.executionId));
    expect(ids.size).toBe(1);
    expect(bodies.filter((b) => b.deduplicated).length).toBe(9);
    const after = await tableCounts(database);
    expect(after!.executions).toBe(before!.executions + 1);
    const again = await (await post(workflowId, { mode: "immediate", idempotencyKey: "same-key" })).json();
    expect(again.executionId).toBe([...ids][0]);
    // Another workflow may use the same key.
    const other = await insertWorkflow(database.db, tinyWorkflow("other"));
    const third = await (await post(other, { mode: "queued", idempotencyKey: "same-key" })).json();
    expect(third.executionId).not.toBe([...ids][0]);
    await waitForStatus(database.db, third.executionId);
    await waitForStatus(database.db, [...ids][0] as string);
  });

  it("finds the execution a key started through the history route", async () => {
    const started = await (await post(workflowId, { mode: "queued", idempotencyKey: "find-me" })).json();
    const other = await (await post(workflowId, { mode: "queued", idempotencyKey: "someone-else" })).json();
    const list = async (key: string) =>
      (
        await historyRoute(
          new Request(`http://x/api/workflows/${workflowId}/executions?idempotencyKey=${key}`),
          { params: Promise.resolve({ id: workflowId }) },
        )
      ).json();
    expect((await list("find-me")).executions.map((e: { id: string }) => e.id)).toEqual([
      started.executionId,
    ]);
    expect((await list("never-used")).executions).toEqual([]);
    await waitForStatus(database.db, started.executionId);
    await waitForStatus(database.db, other.executionId);
  });

  it.each([
    [{ mode: "fast" }, 422, "mode"],
    [{ triggerId: "double" }, 422, "triggerId"],
    [{ triggerId: "nope" }, 422, "triggerId"],
    [{ priority: "high" }, 422, "priority"],
    [{ priority: 1.5 }, 422, "priority"],
    [{ tags: "x" }, 422, "tags"],
    [{ tags: [1] }, 422, "tags[0]"],
    [{ inputs: [1, 2] }, 422, "inputs"],
    [{ timeoutMs: -1 }, 422, "timeoutMs"],
    [{ idempotencyKey: "" }, 422, "idempotencyKey"],
    [{ surprise: true }, 422, ""],
    ["{not json", 400, undefined],
    ["[]", 422, ""],
  ] as const)("refuses %j with %i naming %s and changes nothing", async (body, status, path) => {
    const before = await quiet(database);
    const res = await post(workflowId, body);
    expect(res.status).toBe(status);
    const err = (await res.json()).error;
    expect(err.code).toBeTruthy();
    if (path) expect(err.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await tableCounts(database)).toEqual(before);
  });

  it("answers 404 for an unknown workflow and stores nothing", async () => {
    const before = await quiet(database);
    const res = await post("no-such-workflow", { mode: "queued" });
    expect(res.status).toBe(404);
    expect(await tableCounts(database)).toEqual(before);
  });

  it("hands an immediate run over budget to the queue: 202, drained to success, no node ran twice", async () => {
    const definition = httpChain(server.url, "budget", { slowMs: 150, length: 5 });
    const id = await insertWorkflow(database.db, definition);
    const res = await post(id, { mode: "immediate" });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ status: "queued", mode: "immediate", handedOff: true });
    const partial = await database.db
      .select()
      .from(nodeRuns)
      .where(eq(nodeRuns.executionId, body.executionId));
    expect(partial.filter((r) => r.status === "succeeded").length).toBeGreaterThan(0);
    await drainQueue(database, { budgetMs: 10_000 });
    const row = await waitForStatus(database.db, body.executionId);
    expect(row.status).toBe("succeeded");
    expect(row.handedOff).toBe(true);
    for (let i = 0; i < 5; i++) expect(server.count(`/slow/150/budget/h${i}`), `h${i}`).toBe(1);
  });

  it("counts the time before a hand-off against settings.timeoutMs; retry starts the clock again", async () => {
    const chain = httpChain(server.url, "timeout", { slowMs: 150, length: 5 });
    const definition = { ...chain, settings: { ...chain.settings, timeoutMs: 650 } };
    const id = await insertWorkflow(database.db, definition);
    const res = await post(id, { mode: "immediate" });
    expect(res.status).toBe(202);
    const { executionId } = await res.json();
    const [handedOff] = await database.db.select().from(executions).where(eq(executions.id, executionId));
    expect(handedOff?.runMs).toBeGreaterThanOrEqual(400);

    // 2 × 150 ms are left: within 650 ms on a fresh clock, past it with the time already spent.
    await drainQueue(database, { budgetMs: 10_000 });
    const timedOut = await waitForStatus(database.db, executionId);
    expect(timedOut.status).toBe("failed");
    expect(timedOut.error).toMatchObject({ code: "timeout" });
    const done = (
      await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, executionId))
    ).filter((r) => r.status === "succeeded" && r.nodeId.startsWith("h"));
    // At least the nodes finished before the hand-off; on a busy machine the drained segment may
    // time out before it finishes one more.
    expect(done.length).toBeGreaterThanOrEqual(2);

    const retry = await retryRoute(
      new Request(`http://localhost/api/executions/${executionId}/retry`, { method: "POST" }),
      { params: Promise.resolve({ id: executionId }) },
    );
    expect(retry.status).toBe(200);
    await drainQueue(database, { budgetMs: 10_000 });
    const retried = await waitForStatus(database.db, executionId);
    expect(retried.status).toBe("succeeded");
    // What had succeeded is reused, not run again.
    for (const { nodeId } of done) expect(server.count(`/slow/150/timeout/${nodeId}`), nodeId).toBe(1);
  });
});
