import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUpstashCache } from "@/lib/cache/upstash-cache";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import { redisAvailable, TEST_REDIS_URL } from "@/lib/testing/redis";
import { deleteKeysWithPrefix } from "@/lib/testing/resp";
import { startUpstashBridge, type UpstashBridge } from "@/lib/testing/upstash-bridge";
import { createLlmClient } from "./client";
import { LlmError } from "./llm-error";

const redisUp = await redisAvailable();

const servers: OpenAiServer[] = [];
async function server(options: Parameters<typeof startOpenAiServer>[0] = {}) {
  const s = await startOpenAiServer(options);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

describe("LLM client against an OpenAI-compatible server", () => {
  it("sends system, prompt, temperature and max tokens and records usage", async () => {
    const s = await server();
    const llm = createLlmClient({ apiKey: s.apiKey, baseUrl: s.url });
    const result = await llm.complete({
      model: "gpt-test",
      system: "You are terse.",
      prompt: "Say hello to the world",
      temperature: 0.3,
      maxTokens: 20,
    });
    expect(result).toEqual({
      text: "echo: Say hello to the world",
      model: "gpt-test",
      usage: { promptTokens: 8, completionTokens: 6 },
      cached: false,
      // No price for this model: tokens are recorded, the cost is null, never a guess.
      costUsd: null,
      finishReason: "stop",
    });
    expect(s.requests[0]).toMatchObject({
      model: "gpt-test",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Say hello to the world" },
      ],
      temperature: 0.3,
      max_tokens: 20,
    });
    expect(s.requests[0]).not.toHaveProperty("response_format");
    expect(s.requests[0]).not.toHaveProperty("stream");
  });

  it.each([
    ["a JSON object", '{"a":1,"b":[true,null]}', { a: 1, b: [true, null] }],
    ["a fenced JSON object", '```json\n{"ok": "yes"}\n```', { ok: "yes" }],
  ])("parses %s in JSON mode", async (_what, reply, json) => {
    const s = await server({ reply: () => reply });
    const llm = createLlmClient({ apiKey: s.apiKey, baseUrl: s.url });
    const result = await llm.complete({ model: "gpt-test", prompt: "give JSON", json: true });
    expect(result.json).toEqual(json);
    expect(result.text).toBe(reply);
    expect(s.requests[0]?.response_format).toEqual({ type: "json_object" });
  });

  it("fails clearly when JSON mode gets something that is not JSON", async () => {
    const s = await server({ reply: () => "Sure! Here is your JSON: {a: 1" });
    const llm = createLlmClient({ apiKey: s.apiKey, baseUrl: s.url });
    const err = await failure(llm.complete({ model: "gpt-test", prompt: "give JSON", json: true }));
    expect(err.code).toBe("llm_invalid_json");
    expect(err.message).toMatch(/invalid JSON/);
    expect(err.message).toContain("Sure! Here is your JSON");
  });

  it("streams throttled partial text and returns the whole text", async () => {
    const reply = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const s = await server({ reply: () => reply, chunkDelayMs: 10 });
    const llm = createLlmClient({ apiKey: s.apiKey, baseUrl: s.url, partialIntervalMs: 100 });
    const partials: string[] = [];
    const result = await llm.complete(
      { model: "gpt-test", prompt: "stream please" },
      { onPartial: (t) => partials.push(t) },
    );
    expect(result.text).toBe(reply);
    expect(result.usage).toEqual({ promptTokens: 2, completionTokens: 40 });
    expect(s.requests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(partials.length).toBeGreaterThanOrEqual(2);
    expect(partials.length).toBeLessThan(40);
    expect(partials.at(-1)).toBe(reply);
    for (const [i, p] of partials.entries()) {
      expect(reply.startsWith(p)).toBe(true);
      if (i > 0) expect(p.length).toBeGreaterThan((partials[i - 1] ?? "").length);
    }
  });

  it("refuses to call anything without a key", async () => {
    const s = await server();
    const llm = createLlmClient({ baseUrl: s.url });
    const err = await failure(llm.complete({ model: "gpt-test", prompt: "hi" }));
    expect(err.code).toBe("llm_config");
    expect(err.message).toBe("OPENAI_API_KEY is not configured");
    expect(s.calls).toBe(0);
  });

  it.each([
    [500, "The server had an error while processing your request."],
    [429, "Rate limit reached for gpt-test on requests per min."],
    [400, "Invalid value for 'temperature'."],
  ])("reports a provider %i with its message and status", async (status, message) => {
    const s = await server({ failNext: { status, message } });
    const llm = createLlmClient({ apiKey: s.apiKey, baseUrl: s.url });
    const err = await failure(llm.complete({ model: "gpt-test", prompt: "hi" }));
    expect(err).toMatchObject({
      code: "llm_provider",
      status,
      message: `LLM provider answered ${status}: ${message}`,
    });
    expect(s.calls).toBe(1);
  });

  it("never repeats the key, even when the provider echoes it", async () => {
    const s = await server();
    const wrongKey = `sk-proj-${randomUUID()}`;
    const logs: string[] = [];
    const llm = createLlmClient({ apiKey: wrongKey, baseUrl: s.url });
    const err = await failure(
      llm.complete({ model: "gpt-test", prompt: "hi" }, { log: (_l, m) => logs.push(m) }),
    );
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/Incorrect API key provided/);
    const everything = JSON.stringify({ message: err.message, stack: err.stack, err, logs });
    expect(everything).not.toContain(wrongKey);
    expect(everything).not.toContain(wrongKey.slice(8));
  });

  it("switches to max_completion_tokens when the model refuses max_tokens", async () => {
    const s = await server({ rejectMaxTokens: true });
    const llm = createLlmClient({ apiKey: s.apiKey, baseUrl: s.url });
    const result = await llm.complete({ model: "o-test", prompt: "hi", maxTokens: 5 });
    expect(result.text).toBe("echo: hi");
    expect(s.requests.map((r) => [r.max_tokens, r.max_completion_tokens])).toEqual([
      [5, undefined],
      [undefined, 5],
    ]);
  });

  it("aborts with the caller's reason and drops the connection", async () => {
    const s = await server({ latencyMs: 5_000 });
    const llm = createLlmClient({ apiKey: s.apiKey, baseUrl: s.url });
    const controller = new AbortController();
    const reason = new Error("node cancelled");
    const pending = llm.complete({ model: "gpt-test", prompt: "slow" }, { signal: controller.signal });
    while (s.calls === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    while (s.aborted === 0) await new Promise((r) => setTimeout(r, 10));
    expect(s.aborted).toBe(1);
  });

  it("times out a provider that does not answer", async () => {
    const s = await server({ latencyMs: 5_000 });
    const llm = createLlmClient({ apiKey: s.apiKey, baseUrl: s.url, timeoutMs: 150 });
    const err = await failure(llm.complete({ model: "gpt-test", prompt: "slow" }));
    expect(err.code).toBe("llm_timeout");
    expect(err.message).toBe("the LLM provider did not answer within 150 ms");
  });

  it("says when the provider cannot be reached", async () => {
    const s = await server();
    const url = s.url;
    await s.close();
    const llm = createLlmClient({ apiKey: s.apiKey, baseUrl: url });
    const err = await failure(llm.complete({ model: "gpt-test", prompt: "hi" }));
    expect(err.code).toBe("llm_provider");
    expect(err.message).toMatch(/could not reach the LLM provider/);
  });
});

describe.skipIf(!redisUp)("LLM client streaming through the cache", () => {
  const token = `upstash-${randomUUID()}`;
  const prefix = `braidtest:${randomUUID()}:`;
  let bridge: UpstashBridge;
  beforeAll(async () => {
    bridge = await startUpstashBridge({ redisUrl: TEST_REDIS_URL, token });
  });
  afterAll(async () => {
    await bridge.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it("shares one stream among identical callers and replays a hit as one partial", async () => {
    const reply = Array.from({ length: 20 }, (_, i) => `w${i}`).join(" ");
    const s = await server({ reply: () => reply, chunkDelayMs: 10 });
    const llm = createLlmClient({
      apiKey: s.apiKey,
      baseUrl: s.url,
      cache: createUpstashCache({ url: bridge.url, token, prefix }),
      cacheTimeoutMs: 2_000,
    });
    const req = { model: "gpt-test", prompt: `stream ${randomUUID()}` };
    const seen = Array.from({ length: 5 }, () => [] as string[]);
    const results = await Promise.all(
      seen.map((partials) => llm.complete(req, { onPartial: (t) => partials.push(t) })),
    );
    expect(s.calls).toBe(1);
    expect(results.map((r) => r.text)).toEqual(Array(5).fill(reply));
    for (const partials of seen) expect(partials.at(-1)).toBe(reply);

    const hitPartials: string[] = [];
    const hit = await llm.complete(req, { onPartial: (t) => hitPartials.push(t) });
    expect(hit.cached).toBe(true);
    expect(hitPartials).toEqual([reply]);
    expect(s.calls).toBe(1);
  });
});
