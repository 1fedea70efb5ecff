import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createLlmClient } from "@/lib/llm/client";
import { drainQueue } from "@/lib/runs/drain";
import { getExecutionDetail } from "@/lib/runs/get-execution";
import { startRun } from "@/lib/runs/start-run";
import { insertWorkflow, waitForStatus } from "@/lib/runs/testing/fixtures";
import { type CpuBurner, startCpuBurner } from "@/lib/testing/cpu-burner";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import { redisAvailable, TEST_REDIS_URL } from "@/lib/testing/redis";
import { deleteKeysWithPrefix } from "@/lib/testing/resp";
import { startUpstashBridge } from "@/lib/testing/upstash-bridge";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import type { LlmCache } from "./llm-cache";
import { createPostgresCache } from "./postgres-cache";
import { createUpstashCache } from "./upstash-cache";

const VARS = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));

const askOnce = (topic: string): WorkflowDefinition => ({
  version: 1,
  name: "ask once",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "ask", type: "llm", config: { model: "gpt-4o-mini", prompt: `Summarize ${topic}` } },
    { id: "out", type: "output", config: {} },
  ],
  edges: [
    { source: "start", target: "ask" },
    { source: "ask", target: "out" },
  ],
  settings: { mode: "immediate" },
});

/**
 * Issue 19 §1, through the real request path: identical immediate runs on the Postgres cache, with
 * the default 200 ms cache limit, while another core is busy.
 */
describe(`immediate runs on the ${testDbKind} LLM cache under a CPU burner`, () => {
  let database: Database;
  let server: OpenAiServer;
  let burner: CpuBurner;

  beforeAll(async () => {
    server = await startOpenAiServer({ latencyMs: 400 });
    for (const v of VARS) delete process.env[v];
    process.env.OPENAI_API_KEY = server.apiKey;
    process.env.OPENAI_BASE_URL = server.url;
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    burner = await startCpuBurner();
  });
  afterAll(async () => {
    await burner?.stop();
    setDatabase(undefined);
    await database?.close();
    await server?.close();
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    resetEnv();
  });

  it.each([20, 100])(
    "%i concurrent identical immediate runs make one provider call",
    async (n) => {
      const topic = randomUUID();
      const workflowId = await insertWorkflow(database.db, askOnce(topic));
      const before = server.calls;
      const answers = await Promise.all(
        Array.from({ length: n }, () => startRun(database, workflowId, { mode: "immediate" })),
      );
      // Runs that outgrow the immediate budget on a busy machine are handed to the queue.
      await drainQueue(database, { budgetMs: 60_000 });
      const rows = await Promise.all(answers.map((a) => waitForStatus(database.db, a.body.executionId)));
      expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["succeeded"]));
      expect(server.calls - before).toBe(1);
      const repeat = await startRun(database, workflowId, { mode: "immediate" });
      await waitForStatus(database.db, repeat.body.executionId);
      const detail = await getExecutionDetail(database.db, repeat.body.executionId);
      expect(detail?.nodes.ask).toMatchObject({ status: "succeeded", cached: true });
      expect(server.calls - before).toBe(1);
      // The answer reached the shared cache too: another process would hit it.
      const stored = await query<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from llm_cache where value->>'text' = ${`echo: Summarize ${topic}`}`,
      );
      expect(stored[0]?.n).toBe(1);
    },
    120_000,
  );
});

/** The client alone, with its default limits: one process's concurrent calls, then other processes. */
function describeClientUnderLoad(
  name: string,
  open: () => Promise<{ cache: () => LlmCache; close(): Promise<void> }>,
) {
  describe(`LLM client on ${name} under a CPU burner`, () => {
    let server: OpenAiServer;
    let burner: CpuBurner;
    let fixture: { cache: () => LlmCache; close(): Promise<void> };
    beforeAll(async () => {
      server = await startOpenAiServer({ latencyMs: 400 });
      fixture = await open();
      burner = await startCpuBurner();
    });
    afterAll(async () => {
      await burner?.stop();
      await fixture?.close();
      await server?.close();
    });

    it.each([20, 100])(
      "%i identical concurrent calls make one provider call; repeats hit",
      async (n) => {
        const client = () =>
          createLlmClient({ apiKey: server.apiKey, baseUrl: server.url, cache: fixture.cache() });
        const llm = client();
        const req = { model: "gpt-4o-mini", prompt: `load ${randomUUID()}` };
        const before = server.calls;
        const results = await Promise.all(Array.from({ length: n }, () => llm.complete(req)));
        expect(server.calls - before).toBe(1);
        expect(new Set(results.map((r) => r.text))).toEqual(new Set([`echo: ${req.prompt}`]));
        expect((await llm.complete(req)).cached).toBe(true);
        // A cold process (its first operation on a new connection) finds it in the shared cache.
        expect((await client().complete(req)).cached).toBe(true);
        expect(server.calls - before).toBe(1);
      },
      60_000,
    );
  });
}

describeClientUnderLoad(`the ${testDbKind} cache`, async () => {
  const database = await createTestDatabase();
  return { cache: () => createPostgresCache(database.db), close: () => database.close() };
});

const redisUp = await redisAvailable();
describe.skipIf(!redisUp)("Upstash", () => {
  const prefix = `braidtest:${randomUUID()}:`;
  describeClientUnderLoad("Upstash (REST bridge to real Redis)", async () => {
    const token = `upstash-${randomUUID()}`;
    const bridge = await startUpstashBridge({ redisUrl: TEST_REDIS_URL, token });
    return {
      cache: () => createUpstashCache({ url: bridge.url, token, prefix }),
      close: async () => {
        await bridge.close();
        await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
      },
    };
  });
});
