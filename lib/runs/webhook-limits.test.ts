import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as incoming } from "@/app/api/webhooks/[token]/route";
import { POST as runRoute } from "@/app/api/workflows/[id]/run/route";
import { PATCH as updateRoute } from "@/app/api/workflows/[id]/webhooks/[triggerId]/route";
import { POST as createRoute } from "@/app/api/workflows/[id]/webhooks/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { executions, webhookHits } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { drainQueue } from "./drain";
import { inflightImmediateRuns } from "./start-run";
import { httpChain, insertWorkflow, tinyWorkflow, waitForStatus } from "./testing/fixtures";
import { type HitServer, startHitServer } from "./testing/hit-server";

const ctx = <T>(params: T) => ({ params: Promise.resolve(params) });
const json = (url: string, body: unknown, method = "POST") =>
  new Request(`http://localhost${url}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const saved = { ...process.env };
const setEnv = (vars: Record<string, string>) => {
  process.env = { ...saved, HTTP_ALLOW_PRIVATE_NETWORK: "true", ...vars };
  resetEnv();
};

describe("webhook rate limits", () => {
  let database: Database;
  let workflowId: string;
  beforeAll(async () => {
    setEnv({});
    database = await createTestDatabase();
    setDatabase(database);
  });
  beforeEach(async () => {
    workflowId = await insertWorkflow(database.db, { ...tinyWorkflow(), settings: { mode: "queued" } });
  });
  afterAll(async () => {
    await drainQueue(database, { budgetMs: 5000 });
    process.env = saved;
    resetEnv();
    setDatabase(undefined);
    await database?.close();
  });

  const create = async (body: unknown) => {
    const res = await createRoute(
      json(`/api/workflows/${workflowId}/webhooks`, body),
      ctx({ id: workflowId }),
    );
    return { status: res.status, body: (await res.json()) as { url: string; rateLimit: unknown } };
  };
  const call = (url: string) => incoming(json(url, { n: 1 }), ctx({ token: url.split("/").pop() ?? "" }));
  const runsOf = async () =>
    (await database.db.select().from(executions).where(eq(executions.workflowId, workflowId))).length;

  it("answers 429 with Retry-After past the webhook's own limit and starts nothing more", async () => {
    const { status, body } = await create({ triggerId: "start", rateLimit: { max: 3, windowSeconds: 3600 } });
    expect(status).toBe(201);
    expect(body.rateLimit).toEqual({ max: 3, windowSeconds: 3600, custom: true });
    for (let i = 0; i < 3; i++) expect((await call(body.url)).status).toBe(202);
    const limited = await call(body.url);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited" } });
    expect(await runsOf()).toBe(3);
    // The count lives in the database, where every process sees it.
    const [row] = await database.db.select().from(webhookHits);
    expect(row?.hits).toBeGreaterThanOrEqual(4);
  });

  it("uses WEBHOOK_RATE_LIMIT by default, and a PATCH changes or resets the limit", async () => {
    setEnv({ WEBHOOK_RATE_LIMIT: "2", WEBHOOK_RATE_WINDOW_SECONDS: "600" });
    const { body } = await create({ triggerId: "start" });
    expect(body.rateLimit).toEqual({ max: 2, windowSeconds: 600, custom: false });
    expect((await call(body.url)).status).toBe(202);
    expect((await call(body.url)).status).toBe(202);
    expect((await call(body.url)).status).toBe(429);

    const patch = (rateLimit: unknown) =>
      updateRoute(
        json(`/api/workflows/${workflowId}/webhooks/start`, { rateLimit }, "PATCH"),
        ctx({ id: workflowId, triggerId: "start" }),
      );
    const raised = await patch({ max: 10, windowSeconds: 600 });
    expect(raised.status).toBe(200);
    expect((await raised.json()).rateLimit).toEqual({ max: 10, windowSeconds: 600, custom: true });
    expect((await call(body.url)).status).toBe(202);
    const bad = await patch({ max: 0, windowSeconds: 600 });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/^rateLimit\.max/);
    const reset = await patch(null);
    expect((await reset.json()).rateLimit).toEqual({ max: 2, windowSeconds: 600, custom: false });
    expect((await call(body.url)).status).toBe(429);
    setEnv({});
  });
});

describe("in-flight immediate runs per process", () => {
  let database: Database;
  let server: HitServer;
  beforeAll(async () => {
    database = await createTestDatabase();
    setDatabase(database);
    server = await startHitServer();
  });
  afterAll(async () => {
    await drainQueue(database, { budgetMs: 5000 });
    process.env = saved;
    resetEnv();
    setDatabase(undefined);
    await server?.close();
    await database?.close();
  });
  const run = (id: string) => runRoute(json(`/api/workflows/${id}/run`, { mode: "immediate" }), ctx({ id }));

  it("queues an immediate run past MAX_INFLIGHT_IMMEDIATE and says why", async () => {
    setEnv({ MAX_INFLIGHT_IMMEDIATE: "1", IMMEDIATE_BUDGET_MS: "20000" });
    const slow = await insertWorkflow(database.db, {
      ...httpChain(server.url, "inflight", { slowMs: 1500, length: 1 }),
    });
    const fast = await insertWorkflow(database.db, tinyWorkflow());
    const first = run(slow);
    await expect.poll(() => inflightImmediateRuns()).toBe(1);
    const second = await run(fast);
    expect(second.status).toBe(202);
    const body = (await second.json()) as { executionId: string; mode: string; reason?: string };
    expect(body).toMatchObject({ mode: "queued", status: "queued" });
    expect(body.reason).toContain("MAX_INFLIGHT_IMMEDIATE");
    expect((await first).status).toBe(200);
    expect(inflightImmediateRuns()).toBe(0);
    await drainQueue(database, { budgetMs: 5000 });
    expect((await waitForStatus(database.db, body.executionId)).status).toBe("succeeded");
    // With the slot free again, an immediate run runs immediately.
    const third = await run(fast);
    expect(third.status).toBe(200);
    expect(await third.json()).toMatchObject({ mode: "immediate", status: "succeeded" });
  });
});
