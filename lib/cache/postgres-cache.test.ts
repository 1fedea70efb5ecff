import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { query } from "@/lib/db/client";
import { createLlmClient } from "@/lib/llm/client";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import { startOpenAiServer } from "@/lib/testing/openai-server";
import { createPostgresCache } from "./postgres-cache";
import { describeLlmCacheConformance } from "./testing/llm-cache-conformance";

describeLlmCacheConformance(`Postgres table (${testDbKind})`, async () => {
  const database = await createTestDatabase();
  return { open: () => createPostgresCache(database.db), close: () => database.close() };
});

describe(`Postgres cache housekeeping (${testDbKind})`, () => {
  it("prunes expired rows and stale locks, keeping live ones", async () => {
    const database = await createTestDatabase();
    try {
      const cache = createPostgresCache(database.db, { pruneEveryMs: 0 });
      const value = { text: "t", model: "m", usage: { promptTokens: 1, completionTokens: 1 } };
      await cache.set("llm:v1:old", value, 0.05);
      await database.db.execute(
        sql`insert into locks (key, owner, expires_at) values ('llm:v1:stale', 'x', now() - interval '1 hour')`,
      );
      await new Promise((r) => setTimeout(r, 100));
      await cache.set("llm:v1:live", value, 60);
      const state = async () => ({
        rows: (await query<{ key: string }>(database.db, sql`select key from llm_cache order by key`)).map(
          (r) => r.key,
        ),
        locks: (await query<{ key: string }>(database.db, sql`select key from locks`)).map((r) => r.key),
      });
      let now = await state();
      for (let i = 0; i < 100 && (now.rows.length > 1 || now.locks.length > 0); i++) {
        await new Promise((r) => setTimeout(r, 20));
        now = await state();
      }
      expect(now).toEqual({ rows: ["llm:v1:live"], locks: [] });
    } finally {
      await database.close();
    }
  });

  it("keeps answering with a warning when the database is gone", async () => {
    const database = await createTestDatabase();
    const server = await startOpenAiServer();
    const logs: string[] = [];
    try {
      const llm = createLlmClient({
        apiKey: server.apiKey,
        baseUrl: server.url,
        cache: createPostgresCache(database.db),
      });
      await database.close();
      const result = await llm.complete(
        { model: "m", prompt: "no database" },
        { log: (_l, m) => logs.push(m) },
      );
      expect(result).toMatchObject({ text: "echo: no database", cached: false });
      expect(logs.some((m) => /LLM cache unavailable/.test(m))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
