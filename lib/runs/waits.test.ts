import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/api/errors";
import { type Database, query } from "@/lib/db/client";
import { executions, waits } from "@/lib/db/schema";
import { type LocalHttpServer, sendJson, startLocalHttpServer } from "@/lib/engine/testing/local-http-server";
import { resetEnv } from "@/lib/env";
import { pauseExecution } from "@/lib/queue/pause-execution";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import { getWorkflowOrThrow } from "@/lib/workflow/validate";
import { controlExecution } from "./controls";
import { drainQueue } from "./drain";
import { drainOnce } from "./drain-loop";
import { getExecutionDetail } from "./get-execution";
import { startRun } from "./start-run";
import { insertWorkflow, waitForStatus } from "./testing/fixtures";
import { getApproval, resumeByKey, resumeByToken, waitToken, waitTokenKey, wakeDueWaits } from "./waits";

let database: Database;
let server: LocalHttpServer;

beforeAll(async () => {
  process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
  resetEnv();
  database = await createTestDatabase();
  server = await startLocalHttpServer(async (req, res) => {
    const ms = Number(new URL(req.url ?? "/", "http://x").searchParams.get("ms") ?? 0);
    if (ms) await new Promise((r) => setTimeout(r, ms));
    sendJson(res, 200, { ok: true });
  });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

const drain = () => drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });

function waitWorkflow(name: string, wait: Record<string, unknown>, extra: { slowBranchMs?: number } = {}) {
  const nodes: Record<string, unknown>[] = [
    { id: "start", type: "trigger", config: {} },
    { id: "w", type: "wait", config: wait },
    { id: "ok", type: "output", config: { value: "nodes.w" } },
  ];
  const edges: Record<string, unknown>[] = [
    { source: "start", target: "w" },
    { source: "w", target: "ok" },
  ];
  if (wait.for === "approval") {
    nodes.push({ id: "no", type: "output", config: { value: '"rejected"' } });
    edges.push({ source: "w", sourceHandle: "rejected", target: "no" });
  }
  if (wait.timeoutMs) {
    nodes.push({ id: "late", type: "output", config: { value: '"timed out"' } });
    edges.push({ source: "w", sourceHandle: "timeout", target: "late" });
  }
  if (extra.slowBranchMs) {
    nodes.push({
      id: "slow",
      type: "http",
      config: { method: "GET", url: `${server.url}/slow?ms=${extra.slowBranchMs}` },
    });
    edges.push({ source: "start", target: "slow" });
  }
  return getWorkflowOrThrow({ version: 1, name, nodes, edges });
}

async function start(
  name: string,
  wait: Record<string, unknown>,
  body: Record<string, unknown> = {},
  extra = {},
) {
  const workflowId = await insertWorkflow(database.db, waitWorkflow(name, wait, extra));
  const res = await startRun(database, workflowId, { mode: "queued", ...body });
  return { workflowId, id: res.body.executionId as string, res };
}

async function tokenOf(executionId: string, nodeKey = "w") {
  return waitToken(await waitTokenKey(database.db), executionId, nodeKey);
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe(`durable waits (${testDbKind})`, () => {
  it("an approval: waits with no runner, validates the answer, resumes once, revokes its token at the end", async () => {
    const { id } = await start(
      "approval",
      {
        for: "approval",
        title: "Refund?",
        message: "Order {{ inputs.order }}",
        fields: [
          { name: "amount", type: "number", required: true },
          { name: "reason", type: "select", options: ["damaged", "late"] },
        ],
      },
      { inputs: { order: 42 } },
    );
    await drain();
    const row = await waitForStatus(database.db, id, ["waiting"]);
    expect(row.leaseOwner).toBeNull();
    const detail = (await getExecutionDetail(database.db, id))!;
    expect(detail.status).toBe("waiting");
    expect(detail.nodes.w?.status).toBe("waiting");

    const token = await tokenOf(id);
    expect(token.length).toBeGreaterThanOrEqual(32); // 24 bytes = 192 bits, base64url
    const view = (await getApproval(database.db, token))!;
    expect(view).toMatchObject({
      title: "Refund?",
      message: "Order 42",
      state: "pending",
      data: { order: 42 },
    });

    // A bad answer names the field and leaves the wait pending.
    const bad = await refusal(resumeByToken(database, token, { approved: true, data: { reason: "bored" } }));
    expect(bad.status).toBe(422);
    expect(bad.issues?.map((i) => i.path)).toEqual(["data.amount", "data.reason"]);
    expect((await getApproval(database.db, token))?.state).toBe("pending");

    const ok = await resumeByToken(database, token, {
      approved: true,
      comment: "fine",
      data: { amount: "12.5" },
    });
    expect(ok).toMatchObject({ executionId: id, nodeId: "w", by: "approval" });
    const again = await refusal(resumeByToken(database, token, { approved: false }));
    expect(again.status).toBe(409);
    expect(again.outcome).toMatchObject({
      by: "approval",
      approved: true,
      comment: "fine",
      data: { amount: 12.5 },
    });

    await drain();
    await waitForStatus(database.db, id);
    const done = (await getExecutionDetail(database.db, id))!;
    expect(done.status).toBe("succeeded");
    expect(done.outputs?.ok).toMatchObject({ by: "approval", approved: true, data: { amount: 12.5 } });
    expect(done.nodes.no?.status).toBe("skipped");

    // Stored hashed: the token appears in no table; after the end it is refused with 404.
    const dump = await query<{ t: string }>(
      database.db,
      sql`select (select coalesce(string_agg(w::text, ''), '') from waits w) ||
        (select coalesce(string_agg(n::text, ''), '') from node_runs n where n.execution_id = ${id}) ||
        (select coalesce(string_agg(e::text, ''), '') from execution_events e where e.execution_id = ${id}) as t`,
    );
    expect(dump[0]!.t).not.toContain(token);
    expect(
      (await refusal(resumeByToken(database, token, { approved: true, data: { amount: 1 } }))).status,
    ).toBe(404);
    expect(await getApproval(database.db, token)).toMatchObject({ state: "resolved" });
  });

  it("20 concurrent resumes of one token: exactly one resumes, the others get 409", async () => {
    const { id } = await start("race", { for: "webhook" });
    await drain();
    await waitForStatus(database.db, id, ["waiting"]);
    const token = await tokenOf(id);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => resumeByToken(database, token, { n: i })),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    // The losers get 409 with the outcome, or 404 once the resumed run already ended (its token revoked).
    for (const r of results)
      if (r.status === "rejected") expect([409, 404]).toContain((r.reason as AppError).status);
    const conflicts = results.filter((r) => r.status === "rejected" && (r.reason as AppError).status === 409);
    for (const r of conflicts)
      expect((r as PromiseRejectedResult).reason.outcome).toMatchObject({ by: "webhook" });
    await drain();
    await waitForStatus(database.db, id);
    const done = (await getExecutionDetail(database.db, id))!;
    expect(done.status).toBe("succeeded");
    expect(done.outputs?.ok).toMatchObject({ by: "webhook" });
  });

  it("a timer fires from the database, whoever drains after it is due (no process held it)", async () => {
    const { id } = await start("timer", { for: "duration", ms: 1500 });
    await drain();
    await waitForStatus(database.db, id, ["waiting"]);
    const [w] = await database.db.select().from(waits).where(eq(waits.executionId, id));
    expect(w?.wakeBy).toBe("timer");
    // Not due yet: nothing wakes.
    expect(await wakeDueWaits(database)).toBe(0);
    await new Promise((r) => setTimeout(r, 1600));
    // A fresh drain (as after a restart) wakes it and runs it to the end.
    await drainOnce(database, { budgetMs: 20_000, pruneBatch: 0 });
    const row = await waitForStatus(database.db, id);
    expect(row.status).toBe("succeeded");
    expect((row.outputs as { ok: { by: string } }).ok.by).toBe("timer");
  });

  it("a resume whose requeue was lost (a crash in between) is queued by the next drain's sweep", async () => {
    const { id } = await start("lost requeue", { for: "webhook" });
    await drain();
    await waitForStatus(database.db, id, ["waiting"]);
    // The resume's first write landed, its requeue did not: the wait is resolved, the run still waits.
    await query(
      database.db,
      sql`update waits set status = 'resolved', resolution = ${JSON.stringify({ by: "webhook", data: { n: 1 } })}::jsonb
        where execution_id = ${id} and status = 'pending'`,
    );
    const [before] = await database.db.select().from(executions).where(eq(executions.id, id));
    expect(before?.status).toBe("waiting");
    await drainOnce(database, { budgetMs: 20_000, pruneBatch: 0 });
    const row = await waitForStatus(database.db, id);
    expect(row.status).toBe("succeeded");
  });

  it("a correlation key resumes 50 executions at once", async () => {
    const workflowId = await insertWorkflow(
      database.db,
      waitWorkflow("keyed", { for: "webhook", correlationKey: "inputs.invoice" }),
    );
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await startRun(database, workflowId, { mode: "queued", inputs: { invoice: "INV-1" } });
      ids.push(res.body.executionId as string);
    }
    const other = await startRun(database, workflowId, { mode: "queued", inputs: { invoice: "INV-2" } });
    await drain();
    for (const id of ids) await waitForStatus(database.db, id, ["waiting"]);
    const { resumed } = await resumeByKey(database, workflowId, "INV-1", { paid: true });
    expect(resumed.sort()).toEqual([...ids].sort());
    expect((await resumeByKey(database, workflowId, "INV-1", {})).resumed).toEqual([]);
    await drain();
    for (const id of ids) {
      const row = await waitForStatus(database.db, id);
      expect((row.outputs as { ok: unknown }).ok).toMatchObject({ by: "key", data: { paid: true } });
    }
    expect((await getExecutionDetail(database.db, other.body.executionId as string))?.status).toBe("waiting");
  });

  it("timeout versus resume: exactly one of them happens", async () => {
    const { id } = await start("timeout", { for: "webhook", timeoutMs: 1200 });
    await drain();
    await waitForStatus(database.db, id, ["waiting"]);
    const token = await tokenOf(id);
    await new Promise((r) => setTimeout(r, 1300));
    const [woke, resumed] = await Promise.allSettled([
      wakeDueWaits(database),
      resumeByToken(database, token, {}),
    ]);
    const wokeCount = woke.status === "fulfilled" ? woke.value : 0;
    expect(wokeCount + (resumed.status === "fulfilled" ? 1 : 0)).toBe(1);
    await drain();
    const row = await waitForStatus(database.db, id);
    const outputs = row.outputs as Record<string, unknown>;
    if (wokeCount === 1) expect(outputs).toEqual({ late: "timed out" });
    else expect((outputs.ok as { by: string }).by).toBe("webhook");
  });

  it("a resume after cancel gets 409; a resume of a paused execution is applied on resume", async () => {
    const cancelled = await start("cancel", { for: "webhook" });
    await drain();
    await waitForStatus(database.db, cancelled.id, ["waiting"]);
    await controlExecution(database, cancelled.id, "cancel");
    expect((await getExecutionDetail(database.db, cancelled.id))?.status).toBe("cancelled");
    const c = await refusal(resumeByToken(database, await tokenOf(cancelled.id), {}));
    expect(c.status).toBe(409);

    const paused = await start("pause", { for: "webhook" });
    await drain();
    await waitForStatus(database.db, paused.id, ["waiting"]);
    expect((await pauseExecution(database.db, paused.id))?.changed).toBe(true);
    await resumeByToken(database, await tokenOf(paused.id), { later: 1 });
    await drain();
    expect((await getExecutionDetail(database.db, paused.id))?.status).toBe("paused");
    await controlExecution(database, paused.id, "resume");
    await drain();
    const row = await waitForStatus(database.db, paused.id);
    expect((row.outputs as { ok: unknown }).ok).toMatchObject({ by: "webhook", data: { later: 1 } });
  });

  it("an immediate run answers 202 waiting; a resume while another branch still runs is not lost", async () => {
    const workflowId = await insertWorkflow(database.db, waitWorkflow("imm", { for: "webhook" }));
    const res = await startRun(database, workflowId, { mode: "immediate" });
    expect(res.httpStatus).toBe(202);
    expect(res.body.status).toBe("waiting");

    const { id } = await start("busy", { for: "webhook" }, {}, { slowBranchMs: 700 });
    const draining = drain();
    // Resume as soon as the wait is registered, while the slow branch still holds the runner.
    const until = Date.now() + 10_000;
    for (;;) {
      const [w] = await database.db.select().from(waits).where(eq(waits.executionId, id));
      if (w) break;
      if (Date.now() > until) throw new Error("the wait never registered");
      await new Promise((r) => setTimeout(r, 10));
    }
    await resumeByToken(database, await tokenOf(id), { early: true });
    expect((await database.db.select().from(executions).where(eq(executions.id, id)))[0]?.status).toBe(
      "running",
    );
    await draining;
    await drain();
    const row = await waitForStatus(database.db, id);
    expect(row.status).toBe("succeeded");
    expect((row.outputs as { ok: unknown }).ok).toMatchObject({ data: { early: true } });
  });
});
