import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { drainQueue } from "@/lib/runs/drain";
import { getExecutionDetail, listExecutions } from "@/lib/runs/get-execution";
import { startRun } from "@/lib/runs/start-run";
import { insertWorkflow, waitForStatus } from "@/lib/runs/testing/fixtures";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { createExecutionBudget } from "./budget";
import { dailyUsage } from "./daily-usage";
import { costOf, DEFAULT_PRICES } from "./prices";

const VARS = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "IMMEDIATE_BUDGET_MS",
  "LLM_PRICES",
];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));

/** trigger → one LLM node per prompt, in a chain → output. */
function chain(
  prompts: { id: string; prompt: string; model?: string; cache?: boolean }[],
  settings: WorkflowDefinition["settings"] = {},
): WorkflowDefinition {
  const nodes: WorkflowDefinition["nodes"] = [{ id: "start", type: "trigger", config: {} }];
  const edges: WorkflowDefinition["edges"] = [];
  let prev = "start";
  for (const p of prompts) {
    nodes.push({
      id: p.id,
      type: "llm",
      config: { model: p.model ?? "gpt-4o-mini", prompt: p.prompt, cache: p.cache ?? true },
    });
    edges.push({ source: prev, target: p.id });
    prev = p.id;
  }
  nodes.push({ id: "out", type: "output", config: {} });
  edges.push({ source: prev, target: "out" });
  return { version: 1, name: "llm chain", nodes, edges, settings };
}

describe(`LLM cost and budget on ${testDbKind}`, () => {
  let database: Database;
  let server: OpenAiServer;

  beforeAll(async () => {
    server = await startOpenAiServer({ latencyMs: 300 });
    for (const v of VARS) delete process.env[v];
    process.env.OPENAI_API_KEY = server.apiKey;
    process.env.OPENAI_BASE_URL = server.url;
    process.env.IMMEDIATE_BUDGET_MS = "400";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    await drainQueue(database, { budgetMs: 5_000 });
    setDatabase(undefined);
    await database?.close();
    await server?.close();
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    resetEnv();
  });

  async function runToEnd(workflowId: string, body: Record<string, unknown> = {}) {
    const answer = await startRun(database, workflowId, { mode: "immediate", ...body });
    await drainQueue(database, { budgetMs: 20_000 });
    await waitForStatus(database.db, answer.body.executionId);
    const detail = await getExecutionDetail(database.db, answer.body.executionId);
    if (!detail) throw new Error("no execution");
    return { answer, detail };
  }

  it("records tokens and cost per node, totals per execution, and what cached answers saved", async () => {
    const topic = randomUUID();
    const workflowId = await insertWorkflow(
      database.db,
      chain([
        { id: "a", prompt: `Summarize ${topic}` },
        { id: "b", prompt: `Translate ${topic} into plain words` },
        { id: "local", prompt: `Name ${topic}`, model: "my-local-model" },
      ]),
    );
    const first = (await runToEnd(workflowId)).detail;
    expect(first.status).toBe("succeeded");
    const usageOf = (id: string) =>
      ((first.nodes[id]?.output ?? {}) as { usage: { promptTokens: number; completionTokens: number } })
        .usage;
    const costA = costOf(DEFAULT_PRICES, "gpt-4o-mini", usageOf("a"));
    const costB = costOf(DEFAULT_PRICES, "gpt-4o-mini", usageOf("b"));
    expect(costA).toBeGreaterThan(0);
    expect(first.nodes.a).toMatchObject({ cached: false, costUsd: costA });
    expect(first.nodes.b).toMatchObject({ cached: false, costUsd: costB });
    expect(first.nodes.a?.savedUsd).toBeUndefined();
    // An unknown model records its tokens, never a guessed cost.
    expect(first.nodes.local?.costUsd).toBeNull();
    expect(usageOf("local").promptTokens).toBeGreaterThan(0);
    const tokens = (id: string) => usageOf(id).promptTokens;
    const completion = (id: string) => usageOf(id).completionTokens;
    expect(first.cost).toEqual({
      promptTokens: tokens("a") + tokens("b") + tokens("local"),
      completionTokens: completion("a") + completion("b") + completion("local"),
      costUsd: Math.round(((costA ?? 0) + (costB ?? 0)) * 1e6) / 1e6,
      savedUsd: 0,
    });

    const second = (await runToEnd(workflowId)).detail;
    expect(second.nodes.a).toMatchObject({ cached: true, costUsd: 0, savedUsd: costA });
    expect(second.nodes.b).toMatchObject({ cached: true, costUsd: 0, savedUsd: costB });
    expect(second.nodes.local).toMatchObject({ cached: true, costUsd: 0, savedUsd: null });
    expect(second.cost).toEqual({
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      savedUsd: Math.round(((costA ?? 0) + (costB ?? 0)) * 1e6) / 1e6,
    });
    const history = await listExecutions(database.db, workflowId);
    expect(history.map((h) => h.cost)).toEqual([second.cost, first.cost]);
    const series = await dailyUsage(database.db, workflowId, 3);
    expect(series.map((d) => d.day)).toHaveLength(3);
    expect(series.slice(0, 2).every((d) => d.runs === 0 && d.costUsd === 0)).toBe(true);
    expect(series[2]).toEqual({
      day: new Date().toISOString().slice(0, 10),
      runs: 2,
      tokens: (first.cost?.promptTokens ?? 0) + (first.cost?.completionTokens ?? 0),
      costUsd: first.cost?.costUsd,
      savedUsd: second.cost?.savedUsd,
    });
  }, 60_000);

  it("stops a run at its token budget, across a hand-off, before the call that would not fit", async () => {
    // Each call here costs 5 tokens ("Say x" → "echo: Say x"); the estimate before a call is ~9.
    const workflowId = await insertWorkflow(
      database.db,
      chain(
        ["a", "b", "c"].map((id) => ({ id, prompt: `Say ${id}`, model: "gpt-test", cache: false })),
        { budget: { maxTokens: 1_000 } },
      ),
    );
    const before = server.calls;
    // The request's budget overrides the workflow's.
    const { answer, detail } = await runToEnd(workflowId, { budget: { maxTokens: 16 } });
    expect(answer.body.handedOff).toBe(true);
    expect(detail.status).toBe("failed");
    expect(detail.error).toMatchObject({ code: "budget_exceeded", nodeId: "c" });
    expect(detail.error?.message).toMatch(/LLM budget exceeded before calling gpt-test .*of 16 tokens/);
    expect(detail.nodes.a?.status).toBe("succeeded");
    expect(detail.nodes.b?.status).toBe("succeeded");
    expect(server.calls - before).toBe(2);
    expect(detail.cost).toMatchObject({ promptTokens: 4, completionTokens: 6, costUsd: 0 });

    // The workflow's own budget applies without an override.
    const roomy = await runToEnd(workflowId);
    expect(roomy.detail.status).toBe("succeeded");
  }, 60_000);

  it("rejects a bad budget on the run request, naming the field", async () => {
    const workflowId = await insertWorkflow(database.db, chain([{ id: "a", prompt: "hi" }]));
    await expect(startRun(database, workflowId, { budget: { maxTokens: -1 } })).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(/budget\.maxTokens/),
    });
  });

  it("aborts calls in flight once a charge goes over the budget, and keeps refusing", async () => {
    const workflowId = await insertWorkflow(
      database.db,
      chain([{ id: "a", prompt: "hi" }], { budget: { maxCostUsd: 0.001 } }),
    );
    const answer = await startRun(database, workflowId, { mode: "queued" });
    await drainQueue(database, { budgetMs: 5_000 });
    await waitForStatus(database.db, answer.body.executionId);
    const budget = createExecutionBudget(database.db, answer.body.executionId);
    const req = { model: "gpt-4o", prompt: "hi" };
    await budget.beforeCall(req);
    const inFlight = budget.signal;
    await expect(
      budget.afterCall(req, {
        text: "x",
        model: "gpt-4o",
        usage: { promptTokens: 400, completionTokens: 100 },
        cached: false,
        costUsd: 0.002,
      }),
    ).rejects.toMatchObject({ code: "budget_exceeded" });
    expect(inFlight?.aborted).toBe(true);
    expect(inFlight?.reason).toMatchObject({ code: "budget_exceeded" });
    // Another runner of the same execution (a hand-off) reads the spend from the row.
    await expect(
      createExecutionBudget(database.db, answer.body.executionId).beforeCall(req),
    ).rejects.toMatchObject({
      code: "budget_exceeded",
    });
    const detail = await getExecutionDetail(database.db, answer.body.executionId);
    expect(detail?.cost?.costUsd).toBeGreaterThan(0.001);
  });
});
