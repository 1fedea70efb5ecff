import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { costOf, DEFAULT_PRICES } from "@/lib/llm/prices";
import { drainQueue } from "@/lib/runs/drain";
import { getExecutionDetail } from "@/lib/runs/get-execution";
import { startRun } from "@/lib/runs/start-run";
import { insertWorkflow, waitForStatus } from "@/lib/runs/testing/fixtures";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

const VARS = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "METRICS_TOKEN",
  "APP_PASSWORD",
  "LLM_PRICES",
];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
const TOKEN = `metrics-${randomUUID()}`;

async function scrape(token: string | null = TOKEN): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await metricsRoute(new Request("http://localhost/api/metrics", { headers }), undefined);
  return { status: res.status, text: await res.text() };
}

/** The value of one series (name plus exact label set as printed), 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe(`GET /api/metrics (${testDbKind})`, () => {
  let database: Database;
  let server: OpenAiServer;
  beforeAll(async () => {
    server = await startOpenAiServer();
    for (const v of VARS) delete process.env[v];
    process.env.OPENAI_API_KEY = server.apiKey;
    process.env.OPENAI_BASE_URL = server.url;
    process.env.METRICS_TOKEN = TOKEN;
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database?.close();
    await server?.close();
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    resetEnv();
  });

  it.each([
    ["no credentials", null],
    ["a wrong token", "nope"],
  ])("refuses %s with 401 when METRICS_TOKEN is set", async (_what, token) => {
    const { status, text } = await scrape(token);
    expect(status).toBe(401);
    expect(text).not.toContain("braid_");
  });

  it("reports LLM calls, tokens, cost, cache hits, node durations, executions, claim latency and the queue after known runs", async () => {
    const topic = randomUUID();
    const definition: WorkflowDefinition = {
      version: 1,
      name: "metrics",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "ask", type: "llm", config: { model: "gpt-4o-mini", prompt: `Summarize ${topic}` } },
        { id: "out", type: "output", config: {} },
      ],
      edges: [
        { source: "start", target: "ask" },
        { source: "ask", target: "out" },
      ],
    };
    const workflowId = await insertWorkflow(database.db, definition);
    const before = (await scrape()).text;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const answer = await startRun(database, workflowId, { mode: "immediate" });
      await drainQueue(database, { budgetMs: 5_000 });
      await waitForStatus(database.db, answer.body.executionId);
      ids.push(answer.body.executionId);
    }
    const queued = await startRun(database, workflowId, { mode: "queued" });
    await drainQueue(database, { budgetMs: 5_000 });
    expect((await waitForStatus(database.db, queued.body.executionId)).status).toBe("succeeded");
    const first = await getExecutionDetail(database.db, ids[0] ?? "");
    const usage = (
      (first?.nodes.ask?.output ?? {}) as { usage: { promptTokens: number; completionTokens: number } }
    ).usage;
    // A queued execution nobody drains (it may only run in an hour), and an old one ready now.
    await database.db.insert(executions).values([
      {
        id: randomUUID(),
        workflowId,
        workflowVersion: 1,
        status: "queued",
        mode: "queued",
        definition,
        runAfter: new Date(Date.now() + 3_600_000),
      },
      {
        id: randomUUID(),
        workflowId,
        workflowVersion: 1,
        status: "queued",
        mode: "queued",
        definition,
        createdAt: new Date(Date.now() - 120_000),
        runAfter: new Date(Date.now() - 120_000),
      },
    ]);

    const { status, text } = await scrape();
    expect(status).toBe(200);
    const delta = (series: string) => value(text, series) - value(before, series);
    expect(delta('braid_llm_calls_total{model="gpt-4o-mini",cached="false"}')).toBe(1);
    expect(delta('braid_llm_calls_total{model="gpt-4o-mini",cached="true"}')).toBe(2);
    expect(delta('braid_llm_cache_total{result="hit"}')).toBe(2);
    expect(delta('braid_llm_cache_total{result="miss"}')).toBe(1);
    expect(delta('braid_llm_tokens_total{model="gpt-4o-mini",kind="prompt"}')).toBe(usage.promptTokens);
    expect(delta('braid_llm_tokens_total{model="gpt-4o-mini",kind="completion"}')).toBe(
      usage.completionTokens,
    );
    const cost = costOf(DEFAULT_PRICES, "gpt-4o-mini", usage) ?? 0;
    expect(delta('braid_llm_cost_usd_total{model="gpt-4o-mini"}')).toBeCloseTo(cost, 9);
    expect(delta('braid_llm_saved_usd_total{model="gpt-4o-mini"}')).toBeCloseTo(2 * cost, 9);
    expect(delta('braid_node_duration_seconds_count{type="llm",status="succeeded"}')).toBe(3);
    expect(delta('braid_node_duration_seconds_count{type="trigger",status="succeeded"}')).toBe(3);
    expect(delta('braid_executions_started_total{mode="immediate"}')).toBe(2);
    expect(delta('braid_executions_started_total{mode="queued"}')).toBe(1);
    expect(delta('braid_executions_finished_total{status="succeeded",mode="immediate"}')).toBe(2);
    expect(delta('braid_executions_finished_total{status="succeeded",mode="queued"}')).toBe(1);
    // The queued run waited once between becoming due and its claim; immediate runs never queue.
    expect(delta("braid_claim_latency_seconds_count")).toBe(1);
    expect(value(text, 'braid_claim_latency_seconds_bucket{le="+Inf"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, "braid_queue_depth")).toBe(1);
    expect(value(text, "braid_queue_oldest_age_seconds")).toBeGreaterThanOrEqual(119);
    expect(value(text, 'braid_executions{status="succeeded",mode="immediate"}')).toBe(2);
    expect(value(text, 'braid_executions{status="succeeded",mode="queued"}')).toBe(1);
    expect(value(text, 'braid_executions{status="queued",mode="queued"}')).toBe(2);
    expect(value(text, "braid_waiting_executions")).toBe(0);
    expect(text).toContain("# TYPE braid_waiting_executions gauge");
    expect(text).toContain("# TYPE braid_sse_streams_open gauge");
    expect(text).toContain("# TYPE braid_node_retries_total counter");
  });
});
