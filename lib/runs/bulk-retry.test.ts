import { randomUUID } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as retryRoute } from "@/app/api/workflows/[id]/executions/retry/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { executions, nodeRuns } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { createWorkflow } from "@/lib/workflow-store/service";
import { drainQueue } from "./drain";
import { tinyWorkflow, waitForStatus } from "./testing/fixtures";

let database: Database;
beforeAll(async () => {
  resetEnv();
  database = await createTestDatabase();
  setDatabase(database);
});
afterAll(async () => {
  await drainQueue(database, { budgetMs: 5000 });
  setDatabase(undefined);
  await database?.close();
});

const retry = async (workflowId: string, body: unknown, key?: string) => {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== undefined) headers["idempotency-key"] = key;
  const res = await retryRoute(
    new Request(`http://x/api/workflows/${workflowId}/executions/retry`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { params: Promise.resolve({ id: workflowId }) },
  );
  return { status: res.status, body: await res.json() };
};

/** Inserts a finished execution of `workflowId` (created `minutesAgo` ago) whose double node failed. */
async function finished(
  workflowId: string,
  options: { status?: string; minutesAgo?: number; tags?: string[]; nodeId?: string } = {},
): Promise<string> {
  const id = randomUUID();
  await database.db.insert(executions).values({
    id,
    workflowId,
    workflowVersion: 1,
    status: options.status ?? "failed",
    mode: "queued",
    triggerId: "start",
    nodeId: options.nodeId ?? null,
    definition: tinyWorkflow(),
    inputs: { n: 2 },
    tags: options.tags ?? [],
    error: { message: "boom", nodeId: "double" },
    createdAt: sql`now() - ${options.minutesAgo ?? 0} * interval '1 minute'` as unknown as Date,
    finishedAt: sql`now()` as unknown as Date,
  });
  await database.db.insert(nodeRuns).values([
    { executionId: id, nodeId: "start", status: "succeeded", attempts: 1, output: { n: 2 } },
    { executionId: id, nodeId: "double", status: "failed", attempts: 1, error: { message: "boom" } },
  ]);
  return id;
}

const statuses = async (ids: string[]) =>
  Object.fromEntries(
    (await database.db.select().from(executions).where(inArray(executions.id, ids))).map((r) => [
      r.id,
      r.status,
    ]),
  );

describe("POST /api/workflows/:id/executions/retry", () => {
  it("retries matching executions, each exactly once under 2 concurrent identical requests", async () => {
    const wf = await createWorkflow(database.db, tinyWorkflow("bulk"));
    const failed = await Promise.all([1, 2, 3, 4, 5].map((m) => finished(wf.id, { minutesAgo: m })));
    const other = await finished(wf.id, { status: "cancelled" });
    const [a, b] = await Promise.all([retry(wf.id, {}), retry(wf.id, {})]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const both = [...a.body.retried, ...b.body.retried];
    expect(new Set(both).size).toBe(both.length);
    expect(both.sort()).toEqual([...failed].sort());
    for (const id of failed) {
      const row = await waitForStatus(database.db, id);
      expect(row.status).toBe("succeeded");
      // Claimed by a runner exactly once: the retry was applied once.
      expect(row.claims).toBe(1);
    }
    expect((await statuses([other]))[other]).toBe("cancelled");
    // The succeeded node run was kept and reused; the failed one ran again.
    const runs = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, failed[0]!));
    const byNode = Object.fromEntries(runs.map((r) => [r.nodeId, r]));
    expect(byNode.start?.output).toEqual({ n: 2 });
    expect(byNode.double).toMatchObject({ status: "succeeded", output: 4 });
  });

  it("with the same Idempotency-Key, concurrent and later repeats answer the same ids and retry nothing more", async () => {
    const wf = await createWorkflow(database.db, tinyWorkflow("keyed"));
    const failed = await Promise.all([1, 2, 3].map((m) => finished(wf.id, { minutesAgo: m })));
    const key = randomUUID();
    const [a, b] = await Promise.all([retry(wf.id, { limit: 10 }, key), retry(wf.id, { limit: 10 }, key)]);
    expect(a.body.retried.sort()).toEqual([...failed].sort());
    expect(b.body.retried.sort()).toEqual([...failed].sort());
    for (const id of failed) await waitForStatus(database.db, id);
    // They fail again; the same request again still answers what it did and re-queues nothing.
    await database.db.update(executions).set({ status: "failed" }).where(inArray(executions.id, failed));
    const again = await retry(wf.id, { limit: 10 }, key);
    expect(again.body).toMatchObject({ deduplicated: true });
    expect(again.body.retried.sort()).toEqual([...failed].sort());
    expect(Object.values(await statuses(failed))).toEqual(["failed", "failed", "failed"]);
  });

  it("filters by status, since, until, tag, ids and limit (newest first); single-node runs are left alone", async () => {
    const wf = await createWorkflow(database.db, tinyWorkflow("filters"));
    const old = await finished(wf.id, { minutesAgo: 120, tags: ["nightly"] });
    const mid = await finished(wf.id, { minutesAgo: 60 });
    const recent = await finished(wf.id, { minutesAgo: 5, tags: ["nightly"] });
    const cancelled = await finished(wf.id, { minutesAgo: 5, status: "cancelled" });
    const single = await finished(wf.id, { minutesAgo: 1, nodeId: "double" });
    const ago = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

    expect((await retry(wf.id, { tag: "nightly", since: ago(30) })).body.retried).toEqual([recent]);
    expect((await retry(wf.id, { status: "cancelled" })).body.retried).toEqual([cancelled]);
    expect((await retry(wf.id, { until: ago(90) })).body.retried).toEqual([old]);
    expect((await retry(wf.id, { ids: [mid, single], limit: 5 })).body.retried).toEqual([mid]);
    expect((await statuses([single]))[single]).toBe("failed");
    for (const id of [old, mid, recent, cancelled]) await waitForStatus(database.db, id);

    const more = await Promise.all([10, 20, 30].map((m) => finished(wf.id, { minutesAgo: m })));
    expect((await retry(wf.id, { limit: 2 })).body.retried).toEqual([more[0], more[1]]);
  });

  describe("bad input: 4xx naming the field, nothing retried", () => {
    let wfId: string;
    let failedId: string;
    beforeAll(async () => {
      wfId = (await createWorkflow(database.db, tinyWorkflow("bad"))).id;
      failedId = await finished(wfId);
    });
    it.each([
      ["limit over 1000", { limit: 1001 }, 422, "limit"],
      ["limit 0", { limit: 0 }, 422, "limit"],
      ["a status that cannot be retried", { status: "succeeded" }, 422, "status"],
      ["since not a time", { since: "yesterday" }, 422, "since"],
      ["until not a time", { until: 5 }, 422, "until"],
      ["an empty tag", { tag: "" }, 422, "tag"],
      ["an unknown field", { everything: true }, 422, "everything"],
      ["malformed JSON", "{", 400, undefined],
    ])("%s", async (_, body, status, field) => {
      const res = await retry(wfId, body);
      expect(res.status).toBe(status);
      if (field) expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
      expect((await statuses([failedId]))[failedId]).toBe("failed");
    });
    it("an over-long Idempotency-Key → 400", async () => {
      const res = await retry(wfId, {}, "k".repeat(201));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^Idempotency-Key/);
      expect((await statuses([failedId]))[failedId]).toBe("failed");
    });
    it("an unknown workflow → 404", async () => {
      expect((await retry("nope", {})).status).toBe(404);
    });
  });
});
