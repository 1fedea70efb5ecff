import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as incoming } from "@/app/api/webhooks/[token]/route";
import { POST as createRoute } from "@/app/api/workflows/[id]/webhooks/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { webhookHits } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { drainQueue } from "@/lib/runs/drain";
import { insertWorkflow, tinyWorkflow } from "@/lib/runs/testing/fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { redisAvailable, TEST_REDIS_URL } from "@/lib/testing/redis";
import { connectResp, deleteKeysWithPrefix } from "@/lib/testing/resp";
import { startUpstashBridge, type UpstashBridge } from "@/lib/testing/upstash-bridge";
import { createRedisWebhookCounter, WEBHOOK_REDIS_PREFIX } from "./webhook-limiter";

const redisUp = await redisAvailable();
const ctx = <T>(params: T) => ({ params: Promise.resolve(params) });
const json = (url: string, body: unknown) =>
  new Request(`http://localhost${url}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe.skipIf(!redisUp)("webhook rate limit counted in Redis (Upstash REST bridge to a real Redis)", () => {
  const saved = { ...process.env };
  const restToken = `upstash-${randomUUID()}`;
  let bridge: UpstashBridge;
  let database: Database;
  let workflowId: string;
  const tokens: string[] = [];
  const setEnv = (vars: Record<string, string>) => {
    process.env = { ...saved, ...vars };
    resetEnv();
  };

  beforeAll(async () => {
    bridge = await startUpstashBridge({ redisUrl: TEST_REDIS_URL, token: restToken });
    database = await createTestDatabase();
    setDatabase(database);
  });
  beforeEach(async () => {
    setEnv({ UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: restToken });
    workflowId = await insertWorkflow(database.db, { ...tinyWorkflow(), settings: { mode: "queued" } });
  });
  afterAll(async () => {
    await drainQueue(database, { budgetMs: 5000 });
    process.env = saved;
    resetEnv();
    setDatabase(undefined);
    await database?.close();
    await bridge?.close();
    for (const token of tokens) await deleteKeysWithPrefix(TEST_REDIS_URL, `${WEBHOOK_REDIS_PREFIX}${token}`);
  });

  const create = async (max: number) => {
    const res = await createRoute(
      json(`/api/workflows/${workflowId}/webhooks`, {
        triggerId: "start",
        rateLimit: { max, windowSeconds: 600 },
      }),
      ctx({ id: workflowId }),
    );
    const { url } = (await res.json()) as { url: string };
    const token = url.split("/").pop() ?? "";
    tokens.push(token);
    return token;
  };
  const call = (token: string) => incoming(json(`/api/webhooks/${token}`, { n: 1 }), ctx({ token }));
  const hitsRows = async (token: string) =>
    (await database.db.select().from(webhookHits).where(eq(webhookHits.token, token))).length;

  it("counts in Redis (INCR + PEXPIRE), answers 429 with Retry-After past the limit, writes no Postgres rows", async () => {
    const token = await create(2);
    const before = bridge.requests;
    expect((await call(token)).status).toBe(202);
    expect((await call(token)).status).toBe(202);
    const limited = await call(token);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(bridge.requests - before).toBe(3);
    expect(await hitsRows(token)).toBe(0);
    const redis = await connectResp(TEST_REDIS_URL);
    try {
      const key = `${WEBHOOK_REDIS_PREFIX}${token}:600`;
      const count = await redis.send(["GET", key]);
      expect(count.type === "bulk" ? count.value?.toString() : undefined).toBe("3");
      const ttl = await redis.send(["PTTL", key]);
      expect(ttl.type === "integer" ? ttl.value : -1).toBeGreaterThan(0);
    } finally {
      redis.close();
    }
  });

  it("shares the count between two counters (two processes)", async () => {
    const a = createRedisWebhookCounter({ url: bridge.url, token: restToken });
    const b = createRedisWebhookCounter({ url: bridge.url, token: restToken });
    const token = `shared-${randomUUID()}`;
    tokens.push(token);
    expect((await a(token, 60)).hits).toBe(1);
    expect((await b(token, 60)).hits).toBe(2);
    const third = await a(token, 60);
    expect(third).toMatchObject({ hits: 3, store: "redis" });
    expect(third.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it("falls back to Postgres when Redis does not answer, and still limits", async () => {
    setEnv({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: restToken });
    const token = await create(1);
    expect((await call(token)).status).toBe(202);
    expect((await call(token)).status).toBe(429);
    expect(await hitsRows(token)).toBe(1);
  });
});
