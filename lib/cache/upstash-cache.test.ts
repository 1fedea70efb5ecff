import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlmClient } from "@/lib/llm/client";
import { startOpenAiServer } from "@/lib/testing/openai-server";
import { redisAvailable, redisServerInstalled, TEST_REDIS_URL } from "@/lib/testing/redis";
import { deleteKeysWithPrefix, type PrivateRedis, startPrivateRedis } from "@/lib/testing/resp";
import { startUpstashBridge, type UpstashBridge } from "@/lib/testing/upstash-bridge";
import { describeLlmCacheConformance } from "./testing/llm-cache-conformance";
import { createUpstashCache } from "./upstash-cache";

const REDIS_URL = TEST_REDIS_URL;
const redisUp = await redisAvailable();
const canStartRedis = redisUp && redisServerInstalled();
const prefix = `braidtest:${randomUUID()}:`;

describe.skipIf(!redisUp)("Upstash cache on real Redis", () => {
  describeLlmCacheConformance("Upstash REST (bridge to real Redis)", async () => {
    const token = `upstash-${randomUUID()}`;
    const bridge = await startUpstashBridge({ redisUrl: REDIS_URL, token });
    return {
      open: () => createUpstashCache({ url: bridge.url, token, prefix }),
      close: async () => {
        await bridge.close();
        await deleteKeysWithPrefix(REDIS_URL, prefix);
      },
    };
  });
});

describe.skipIf(!canStartRedis)("Upstash cache when Redis or the REST endpoint fails", () => {
  const token = `upstash-${randomUUID()}`;
  let redis: PrivateRedis;
  let bridge: UpstashBridge;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    bridge = await startUpstashBridge({ redisUrl: redis.url, token });
  });
  afterAll(async () => {
    await bridge?.close();
    await redis?.kill();
  });

  it("keeps answering with a warning when Redis is stopped", async () => {
    const server = await startOpenAiServer();
    const logs: { level: string; message: string }[] = [];
    const log = (level: string, message: string) => logs.push({ level, message });
    const llm = createLlmClient({
      apiKey: server.apiKey,
      baseUrl: server.url,
      cache: createUpstashCache({ url: bridge.url, token }),
      secrets: [token],
      // The cache under test, not the answers this process keeps in hand.
      recentMs: 0,
    });
    try {
      const req = { model: "gpt-test", prompt: "before the outage" };
      await llm.complete(req, { log });
      expect((await llm.complete(req, { log })).cached).toBe(true);
      expect(logs.filter((l) => l.level === "warn")).toEqual([]);

      await redis.kill();

      const during = await llm.complete({ model: "gpt-test", prompt: "during the outage" }, { log });
      expect(during).toMatchObject({ text: "echo: during the outage", cached: false });
      const again = await llm.complete(req, { log });
      expect(again).toMatchObject({ text: "echo: before the outage", cached: false });
      expect(server.calls).toBe(3);
      const warnings = logs.filter((l) => l.level === "warn");
      expect(warnings.length).toBeGreaterThanOrEqual(2);
      expect(warnings[0]?.message).toMatch(/LLM cache unavailable/);
      expect(JSON.stringify(logs)).not.toContain(token);
      expect(JSON.stringify(logs)).not.toContain(server.apiKey);
    } finally {
      await server.close();
    }
  });

  it("keeps answering when the REST endpoint hangs, and opens the breaker once requests fail", async () => {
    const server = await startOpenAiServer();
    const hung = await startUpstashBridge({ redisUrl: REDIS_URL, token, hang: true });
    const llm = createLlmClient({
      apiKey: server.apiKey,
      baseUrl: server.url,
      // The SDK aborts a request after 1.8 s: that is the real failure the breaker counts.
      cache: createUpstashCache({ url: hung.url, token, prefix, requestTimeoutMs: 1_800 }),
      cacheWriteTimeoutMs: 1_000,
    });
    try {
      const warnings: string[][] = [];
      for (let i = 0; i < 8 && !warnings.flat().some((m) => /skipped after repeated/.test(m)); i++) {
        const logs: string[] = [];
        const result = await llm.complete(
          { model: "gpt-test", prompt: `hung cache ${i}` },
          { log: (level, message) => level === "warn" && logs.push(message) },
        );
        expect(result).toMatchObject({ text: `echo: hung cache ${i}`, cached: false });
        warnings.push(logs);
      }
      expect(server.calls).toBe(warnings.length);
      // The first read of a cold connection gets the cold-start allowance, not 200 ms.
      expect(warnings[0]?.[0]).toBe(
        "LLM cache unavailable (get: no answer within 1500 ms); calling the provider directly",
      );
      expect(warnings.at(-1)).toEqual([
        "LLM cache skipped after repeated failures; calling the provider directly",
      ]);
      expect(warnings.length).toBeGreaterThan(1);
    } finally {
      await hung.close();
      await server.close();
    }
  });

  it("uses the cache again after one slow answer", async () => {
    const server = await startOpenAiServer();
    const flaky = await startUpstashBridge({ redisUrl: REDIS_URL, token, hang: true });
    const llm = createLlmClient({
      apiKey: server.apiKey,
      baseUrl: server.url,
      cache: createUpstashCache({ url: flaky.url, token, prefix }),
      cacheTimeoutMs: 300,
      recentMs: 0,
    });
    try {
      const req = { model: "gpt-test", prompt: `flaky ${randomUUID()}` };
      expect((await llm.complete(req)).cached).toBe(false);
      flaky.setHang(false);
      expect((await llm.complete(req)).cached).toBe(false);
      expect((await llm.complete(req)).cached).toBe(true);
      expect(server.calls).toBe(2);
    } finally {
      await flaky.close();
      await server.close();
    }
  });

  it("bypasses a malformed REST URL instead of failing", async () => {
    const server = await startOpenAiServer();
    try {
      const logs: string[] = [];
      const llm = createLlmClient({
        apiKey: server.apiKey,
        baseUrl: server.url,
        cache: createUpstashCache({ url: "upstash.example without scheme", token }),
      });
      const result = await llm.complete(
        { model: "gpt-test", prompt: "bad url" },
        { log: (_l, m) => logs.push(m) },
      );
      expect(result).toMatchObject({ text: "echo: bad url", cached: false });
      expect(logs).toEqual([
        expect.stringMatching(/^LLM cache unavailable \(get: .*\); calling the provider directly$/),
      ]);
    } finally {
      await server.close();
    }
  });
});
