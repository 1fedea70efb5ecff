import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Database, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { getExecutionDetail } from "@/lib/runs/get-execution";
import { startRun } from "@/lib/runs/start-run";
import { insertWorkflow } from "@/lib/runs/testing/fixtures";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import { costOf, DEFAULT_PRICES } from "./prices";
import { listPrices, loadPrices } from "./prices-store";

vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
const { deletePriceAction, savePriceAction } = await import("@/app/settings/prices/actions");

const VARS = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "LLM_PRICES",
];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};

describe(`LLM prices: defaults < LLM_PRICES < settings page (${testDbKind})`, () => {
  let database: Database;
  let server: OpenAiServer;
  beforeAll(async () => {
    server = await startOpenAiServer();
    for (const v of VARS) delete process.env[v];
    process.env.OPENAI_API_KEY = server.apiKey;
    process.env.OPENAI_BASE_URL = server.url;
    process.env.LLM_PRICES = JSON.stringify({
      "gpt-4o": { input: 3, output: 12 },
      "local-llama": { input: 0, output: 0 },
    });
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
    ["a blank model", { model: " ", input: "1", output: "2" }, "model"],
    ["a model name with spaces", { model: "my model", input: "1", output: "2" }, "model"],
    ["a missing input price", { model: "m", input: "", output: "2" }, "input"],
    ["an input price that is not a number", { model: "m", input: "cheap", output: "2" }, "input"],
    ["a negative output price", { model: "m", input: "1", output: "-1" }, "output"],
    ["an output price over 100000", { model: "m", input: "1", output: "100001" }, "output"],
  ])("refuses %s with 422 naming the field, storing nothing", async (_what, fields, field) => {
    const state = await savePriceAction({}, form(fields));
    expect(state).toMatchObject({ status: 422, field });
    expect(state.message).toMatch(new RegExp(`^${field}: `));
    expect(state.saved).toBeUndefined();
    expect((await listPrices(database.db)).some((p) => p.source === "stored")).toBe(false);
  });

  it("merges stored prices over LLM_PRICES over the defaults, and a removed one falls back", async () => {
    expect(await savePriceAction({}, form({ model: "gpt-4o", input: "4", output: "16" }))).toEqual({
      saved: "gpt-4o",
    });
    expect(await savePriceAction({}, form({ model: "my-model", input: "0.5", output: "1.5" }))).toEqual({
      saved: "my-model",
    });
    const table = await loadPrices(database.db);
    expect(table["gpt-4o"]).toEqual({ input: 4, output: 16 });
    expect(table["local-llama"]).toEqual({ input: 0, output: 0 });
    expect(table["my-model"]).toEqual({ input: 0.5, output: 1.5 });
    expect(table["gpt-4o-mini"]).toEqual(DEFAULT_PRICES["gpt-4o-mini"]);

    const listed = Object.fromEntries((await listPrices(database.db)).map((p) => [p.model, p]));
    expect(listed["gpt-4o"]).toMatchObject({
      source: "stored",
      input: 4,
      overrides: { source: "env", input: 3, output: 12 },
    });
    expect(listed["local-llama"]).toMatchObject({ source: "env" });
    expect(listed["gpt-4o-mini"]).toMatchObject({ source: "default" });
    expect(listed["my-model"]).toMatchObject({ source: "stored" });
    expect(listed["my-model"]?.overrides).toBeUndefined();

    expect(await deletePriceAction("gpt-4o")).toEqual({ ok: true });
    expect((await loadPrices(database.db))["gpt-4o"]).toEqual({ input: 3, output: 12 });
    expect(await deletePriceAction("gpt-4o")).toMatchObject({ ok: false, code: "not_found" });
    expect(await deletePriceAction("my-model")).toEqual({ ok: true });
  });

  it("prices a run's LLM calls with a price stored on the settings page", async () => {
    const model = "house-model";
    const workflowId = await insertWorkflow(database.db, {
      version: 1,
      name: "priced",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "ask", type: "llm", config: { model, prompt: "{{ inputs.q }}", cache: false } },
        { id: "out", type: "output", config: {} },
      ],
      edges: [
        { source: "start", target: "ask" },
        { source: "ask", target: "out" },
      ],
    });
    const run = async (q: string) => {
      const { body } = await startRun(database, workflowId, { mode: "immediate", inputs: { q } });
      expect(body.status).toBe("succeeded");
      return (await getExecutionDetail(database.db, body.executionId))!;
    };
    // Unknown model: tokens, no cost (never a guess).
    const before = await run("first question");
    expect(before.nodes.ask?.output).toMatchObject({ costUsd: null });

    expect(await savePriceAction({}, form({ model, input: "2", output: "8" }))).toEqual({ saved: model });
    const after = await run("second question");
    const output = after.nodes.ask?.output as {
      usage: { promptTokens: number; completionTokens: number };
      costUsd: number;
    };
    const expected = costOf({ [model]: { input: 2, output: 8 } }, model, output.usage);
    expect(expected).toBeGreaterThan(0);
    expect(output.costUsd).toBe(expected);
    expect(after.cost?.costUsd).toBe(expected);
  });
});
