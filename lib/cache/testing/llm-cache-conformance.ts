import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LlmRequest, LlmResult } from "@/lib/engine/ports";
import { createLlmClient } from "@/lib/llm/client";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import { cacheKey, type LlmCache } from "../llm-cache";

/** What a cache implementation gives the suite: a way to open instances that share one store. */
export interface CacheFixture {
  /** A new cache instance on the shared store, as another process would open it. */
  open(): LlmCache;
  close(): Promise<void>;
}

type Log = { level: string; message: string };

/**
 * The conformance suite every `LlmCache` implementation passes, through the real LLM client and a
 * local OpenAI-compatible server: hits, single-flight, cross-process locks, key separation, expiry.
 */
export function describeLlmCacheConformance(name: string, setup: () => Promise<CacheFixture>): void {
  describe(`LlmCache conformance: ${name}`, () => {
    let fixture: CacheFixture;
    let server: OpenAiServer;
    let logs: Log[];
    const log = (level: string, message: string) => logs.push({ level, message });
    const request = (over: Partial<LlmRequest> = {}): LlmRequest => ({
      model: "gpt-test",
      prompt: `summarize ${randomUUID()}`,
      ...over,
    });
    const client = (cache = fixture.open()) =>
      createLlmClient({ apiKey: server.apiKey, baseUrl: server.url, cache, cacheTimeoutMs: 2_000 });

    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      await fixture?.close();
    });
    beforeEach(async () => {
      logs = [];
      server = await startOpenAiServer({ latencyMs: 50 });
    });
    afterEach(async () => {
      await server.close();
    });

    it("serves a second identical call from the cache", async () => {
      const llm = client();
      const req = request({ system: "be brief", temperature: 0.2, maxTokens: 50 });
      const first = await llm.complete(req, { log });
      const second = await llm.complete(req, { log });
      expect(server.calls).toBe(1);
      expect(first.cached).toBe(false);
      expect(second).toMatchObject({
        text: first.text,
        model: first.model,
        usage: first.usage,
        cached: true,
      });
      expect(second.text).toBe(`echo: ${req.prompt}`);
      expect(second.usage.completionTokens).toBeGreaterThan(0);
      expect(logs.filter((l) => l.level === "warn")).toEqual([]);
    });

    it("serves a call from another process's cache entry", async () => {
      const req = request();
      await client().complete(req);
      const other = await client().complete(req);
      expect(other.cached).toBe(true);
      expect(server.calls).toBe(1);
    });

    it("makes one provider call for 50 identical concurrent calls", async () => {
      const llm = client();
      const req = request();
      const results = await Promise.all(Array.from({ length: 50 }, () => llm.complete(req, { log })));
      expect(server.calls).toBe(1);
      expect(new Set(results.map((r) => r.text))).toEqual(new Set([`echo: ${req.prompt}`]));
      expect(logs.filter((l) => l.level === "warn")).toEqual([]);
    });

    it("makes one provider call for identical calls from several processes at once", async () => {
      server.setLatency(300);
      const processes = [client(), client(), client(), client()];
      const req = request();
      const results = await Promise.all(
        processes.flatMap((llm) => Array.from({ length: 10 }, () => llm.complete(req, { log }))),
      );
      expect(server.calls).toBe(1);
      expect(results.filter((r) => r.cached).length).toBe(30);
      expect(results.every((r) => r.text === `echo: ${req.prompt}`)).toBe(true);
    });

    it("re-reads the cache after taking the lock, in case another process just filled it", async () => {
      const req = request();
      const key = cacheKey(req, server.url);
      const other = fixture.open();
      const real = fixture.open();
      let misses = 0;
      // Between this process's miss and its lock, another process stores the answer and unlocks.
      const racing: LlmCache = {
        get: async (k) => {
          const value = await real.get(k);
          if (!value && misses++ === 0) {
            await other.set(
              key,
              { text: "from the other process", model: "m", usage: { promptTokens: 1, completionTokens: 1 } },
              60,
            );
          }
          return value;
        },
        set: (k, v, ttl) => real.set(k, v, ttl),
        acquireLock: (k, ttl) => real.acquireLock(k, ttl),
        renewLock: (k, ttl) => real.renewLock(k, ttl),
        releaseLock: (k) => real.releaseLock(k),
      };
      const result = await client(racing).complete(req);
      expect(result).toMatchObject({ text: "from the other process", cached: true });
      expect(server.calls).toBe(0);
    });

    it.each<[string, Partial<LlmRequest>]>([
      ["temperature", { temperature: 0.9 }],
      ["model", { model: "gpt-other" }],
      ["system prompt", { system: "answer in French" }],
      ["maxTokens", { maxTokens: 7 }],
      ["JSON mode", { json: true }],
    ])("keeps a different %s under a different key", async (_what, change) => {
      const llm = client();
      const base = request({ temperature: 0.1 });
      const changed = { ...base, ...change };
      expect(cacheKey(changed)).not.toBe(cacheKey(base));
      const a = await llm.complete(base);
      const b = await llm.complete(changed);
      expect(server.calls).toBe(2);
      expect([a.cached, b.cached]).toEqual([false, false]);
      expect((await llm.complete(changed)).cached).toBe(true);
      expect(server.calls).toBe(2);
    });

    it("lets an entry expire after its TTL", async () => {
      const llm = client();
      const req = request({ cacheTtlSeconds: 0.3 });
      await llm.complete(req);
      expect((await llm.complete(req)).cached).toBe(true);
      await new Promise((r) => setTimeout(r, 600));
      const after = await llm.complete(req);
      expect(after.cached).toBe(false);
      expect(server.calls).toBe(2);
    });

    it("bypasses the cache when the request says cache: false", async () => {
      const llm = client();
      const req = request();
      await llm.complete(req);
      const fresh = await llm.complete({ ...req, cache: false });
      expect(fresh.cached).toBe(false);
      expect(server.calls).toBe(2);
    });

    it("does not cache a failed call", async () => {
      const llm = client();
      const req = request();
      server.failNext({ status: 500, message: "upstream exploded" });
      await expect(llm.complete(req)).rejects.toThrow(/500: upstream exploded/);
      const ok = await llm.complete(req);
      expect(ok.cached).toBe(false);
      expect(server.calls).toBe(2);
    });

    it("stores, expires and locks through the cache API", async () => {
      const a = fixture.open();
      const b = fixture.open();
      const key = `llm:v1:test-${randomUUID()}`;
      const value = {
        text: "hi",
        json: { n: 1 },
        model: "m",
        usage: { promptTokens: 1, completionTokens: 2 },
      };
      expect(await a.get(key)).toBeUndefined();
      await a.set(key, value, 60);
      expect(await b.get(key)).toEqual(value);
      await a.set(key, { ...value, text: "replaced" }, 60);
      expect((await b.get(key))?.text).toBe("replaced");

      expect(await a.acquireLock(key, 10_000)).toBe(true);
      expect(await b.acquireLock(key, 10_000)).toBe(false);
      await b.releaseLock(key);
      expect(await b.acquireLock(key, 10_000)).toBe(false);
      await a.releaseLock(key);
      expect(await b.acquireLock(key, 200)).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
      expect(await a.acquireLock(key, 10_000)).toBe(true);
      await a.releaseLock(key);

      // Renewal: only the holder extends its lock, and only while it holds it.
      expect(await a.acquireLock(key, 300)).toBe(true);
      expect(await a.renewLock(key, 10_000)).toBe(true);
      expect(await b.renewLock(key, 10_000)).toBe(false);
      await new Promise((r) => setTimeout(r, 500));
      expect(await b.acquireLock(key, 10_000)).toBe(false);
      await a.releaseLock(key);
      expect(await a.renewLock(key, 10_000)).toBe(false);
    });

    it("keeps one provider call for a completion that outlasts the lock's lifetime", async () => {
      server.setLatency(1_000);
      const processes = [0, 1, 2].map(() =>
        createLlmClient({
          apiKey: server.apiKey,
          baseUrl: server.url,
          cache: fixture.open(),
          cacheTimeoutMs: 2_000,
          lockTimeoutMs: 300,
        }),
      );
      const req = request();
      const results = await Promise.all(processes.map((llm) => llm.complete(req, { log })));
      expect(server.calls).toBe(1);
      expect(results.filter((r) => r.cached).length).toBe(2);
      expect(logs.filter((l) => l.level === "warn")).toEqual([]);
    });

    it("never lets the API key into results, logs or stored values", async () => {
      const llm = client();
      const req = request({ json: true });
      const results: LlmResult[] = [await llm.complete(req, { log }), await llm.complete(req, { log })];
      const stored = await fixture.open().get(cacheKey(req, server.url));
      expect(stored).toBeDefined();
      const everything = JSON.stringify({ results, logs, stored, requests: server.requests });
      expect(everything).not.toContain(server.apiKey);
    });
  });
}
