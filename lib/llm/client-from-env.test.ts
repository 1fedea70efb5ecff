import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cacheKey } from "@/lib/cache/llm-cache";
import { type Database, query } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { startOpenAiServer } from "@/lib/testing/openai-server";
import { redisAvailable, TEST_REDIS_URL } from "@/lib/testing/redis";
import { connectResp } from "@/lib/testing/resp";

const redisUp = await redisAvailable();

import { startUpstashBridge } from "@/lib/testing/upstash-bridge";
import { createLlmClientFromEnv } from "./client";

const VARS = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
] as const;
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
afterEach(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
  resetEnv();
});

function setEnv(values: Partial<Record<(typeof VARS)[number], string>>) {
  for (const v of VARS) delete process.env[v];
  Object.assign(process.env, values);
  resetEnv();
}

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});
/** The same database under a new identity, so the per-database memo gives a fresh client. */
const sameDatabase = (): Database => ({ ...database });
/** A cold process's first requests can take over 200 ms on a loaded machine; this is not under test here. */
const relaxed = { cacheTimeoutMs: 2_000 };

describe("createLlmClientFromEnv", () => {
  it("caches in the database when Upstash is not configured, one client per database", async () => {
    const server = await startOpenAiServer();
    try {
      setEnv({ OPENAI_API_KEY: server.apiKey, OPENAI_BASE_URL: server.url });
      const llm = createLlmClientFromEnv(database, relaxed);
      expect(createLlmClientFromEnv(database)).toBe(llm);
      const req = { model: "m", prompt: `env ${randomUUID()}` };
      await llm.complete(req);
      expect((await llm.complete(req)).cached).toBe(true);
      expect(server.calls).toBe(1);
      const rows = await query<{ key: string }>(database.db, sql`select key from llm_cache`);
      expect(rows.map((r) => r.key)).toContain(cacheKey(req, server.url));
    } finally {
      await server.close();
    }
  });

  it.skipIf(!redisUp)("caches in Upstash when its URL and token are set", async () => {
    const server = await startOpenAiServer();
    const token = `tok-${randomUUID()}`;
    const bridge = await startUpstashBridge({ redisUrl: TEST_REDIS_URL, token });
    const req = { model: "m", prompt: `env ${randomUUID()}` };
    const key = cacheKey(req, server.url);
    const redis = await connectResp(TEST_REDIS_URL);
    try {
      setEnv({
        OPENAI_API_KEY: server.apiKey,
        OPENAI_BASE_URL: server.url,
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: token,
      });
      const llm = createLlmClientFromEnv(sameDatabase(), relaxed);
      await llm.complete(req);
      expect((await llm.complete(req)).cached).toBe(true);
      expect(await redis.send(["EXISTS", key])).toEqual({ type: "integer", value: 1 });
      expect(await query(database.db, sql`select key from llm_cache where key = ${key}`)).toEqual([]);
    } finally {
      await redis.send(["DEL", key]);
      redis.close();
      await bridge.close();
      await server.close();
    }
  });

  it("fails the call, not the process, when no key is configured", async () => {
    setEnv({});
    const llm = createLlmClientFromEnv(sameDatabase());
    await expect(llm.complete({ model: "m", prompt: "hi" })).rejects.toThrow(
      "OPENAI_API_KEY is not configured",
    );
  });
});
