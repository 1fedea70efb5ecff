import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpstashCache } from "@/lib/cache/upstash-cache";
import type { LlmClient } from "@/lib/engine/ports";
import { runWorkflow } from "@/lib/engine/run-workflow";
import { createTestPorts } from "@/lib/engine/testing/test-ports";
import { trigger, workflow } from "@/lib/engine/testing/workflow-builder";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import { redisAvailable, redisServerInstalled, TEST_REDIS_URL } from "@/lib/testing/redis";
import { deleteKeysWithPrefix, type PrivateRedis, startPrivateRedis } from "@/lib/testing/resp";
import { startUpstashBridge, type UpstashBridge } from "@/lib/testing/upstash-bridge";
import { createLlmClient } from "./client";

const REDIS_URL = TEST_REDIS_URL;
const canStartRedis = (await redisAvailable()) && redisServerInstalled();
const prefix = `braidtest:${randomUUID()}:`;
const token = `upstash-${randomUUID()}`;

const summarize = workflow(
  [
    trigger(),
    {
      id: "ask",
      type: "llm",
      config: { model: "gpt-test", prompt: "Summarize {{ inputs.topic }}", system: "Be brief." },
    },
    { id: "out", type: "output" },
  ],
  ["start->ask", "ask->out"],
);

async function run(llm: LlmClient, topic: string) {
  const ports = createTestPorts({ llm });
  const outcome = await runWorkflow({ definition: summarize, inputs: { topic }, ports });
  const warnings = ports.events.events.filter((e) => e.type === "log" && e.level === "warn");
  const everything = JSON.stringify({ outcome, events: ports.events.events, saved: ports.journal.saved });
  return { outcome, warnings, everything, ask: outcome.nodes.ask };
}

describe.skipIf(!canStartRedis)("llm nodes in a workflow, through the cache", () => {
  let server: OpenAiServer;
  let bridge: UpstashBridge;
  let privateRedis: PrivateRedis;
  let privateBridge: UpstashBridge;

  beforeAll(async () => {
    server = await startOpenAiServer();
    bridge = await startUpstashBridge({ token });
    privateRedis = await startPrivateRedis();
    privateBridge = await startUpstashBridge({ redisUrl: privateRedis.url, token });
  });
  afterAll(async () => {
    await privateRedis.kill();
    await Promise.all([server.close(), bridge.close(), privateBridge.close()]);
    await deleteKeysWithPrefix(REDIS_URL, prefix);
  });

  /** A fresh client (a process of its own); the 200 ms cache budget is relaxed where load could trip it. */
  const llmOn = (url: string, options: { prefix?: string; cacheTimeoutMs?: number } = {}) =>
    createLlmClient({
      apiKey: server.apiKey,
      baseUrl: server.url,
      cache: createUpstashCache({ url, token, prefix: options.prefix ?? prefix }),
      cacheTimeoutMs: options.cacheTimeoutMs,
    });

  it("serves a second identical run from the cache", async () => {
    const topic = `tides ${randomUUID()}`;
    const before = server.calls;
    const first = await run(llmOn(bridge.url, { cacheTimeoutMs: 2_000 }), topic);
    const second = await run(llmOn(bridge.url, { cacheTimeoutMs: 2_000 }), topic);
    expect(server.calls - before).toBe(1);
    expect(first.outcome.status).toBe("succeeded");
    expect(second.outcome.status).toBe("succeeded");
    expect(first.ask?.status).toBe("succeeded");
    expect(first.ask?.cached ?? false).toBe(false);
    expect(second.ask).toMatchObject({ status: "succeeded", cached: true });
    expect(second.outcome.outputs.out).toMatchObject({ text: `echo: Summarize ${topic}`, cached: true });
    expect(second.everything).not.toContain(server.apiKey);
  });

  it("succeeds with a warning when the cache endpoint hangs", async () => {
    bridge.setHang(true);
    try {
      const { outcome, warnings, ask, everything } = await run(llmOn(bridge.url), `hang ${randomUUID()}`);
      expect(outcome.status).toBe("succeeded");
      expect(ask?.status).toBe("succeeded");
      expect(ask?.cached ?? false).toBe(false);
      expect(warnings).toContainEqual(
        expect.objectContaining({ nodeId: "ask", message: expect.stringMatching(/LLM cache unavailable/) }),
      );
      expect(everything).not.toContain(server.apiKey);
      expect(everything).not.toContain(token);
    } finally {
      bridge.setHang(false);
    }
  });

  it("succeeds with a warning when Redis is stopped", async () => {
    const llm = llmOn(privateBridge.url, { prefix: "" });
    expect((await run(llm, "warm")).outcome.outputs.out).toMatchObject({ cached: false });
    await privateRedis.kill();
    const { outcome, warnings, everything } = await run(llm, "after the crash");
    expect(outcome.status).toBe("succeeded");
    expect(outcome.outputs.out).toMatchObject({ text: "echo: Summarize after the crash", cached: false });
    expect(warnings.length).toBeGreaterThan(0);
    expect(everything).not.toContain(server.apiKey);
  });

  it("fails the node with the provider's message and never the key", async () => {
    const wrongKey = `sk-live-${randomUUID()}`;
    const llm = createLlmClient({
      apiKey: wrongKey,
      baseUrl: server.url,
      cache: createUpstashCache({ url: bridge.url, token, prefix }),
    });
    const { outcome, everything } = await run(llm, "secret run");
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatchObject({ nodeId: "ask", code: "llm_provider" });
    expect(outcome.error?.message).toMatch(/401: Incorrect API key provided/);
    expect(everything).not.toContain(wrongKey);
  });
});
