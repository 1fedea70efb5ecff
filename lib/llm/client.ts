import { cacheKey, type LlmCache, type LlmCachedValue } from "@/lib/cache/llm-cache";
import { createPostgresCache } from "@/lib/cache/postgres-cache";
import { createUpstashCache } from "@/lib/cache/upstash-cache";
import type { Database } from "@/lib/db/client";
import type { LlmClient, LlmRequest, LlmResult } from "@/lib/engine/ports";
import { getEnv } from "@/lib/env";
import { createOpenAiProvider, type LlmProvider } from "./openai-provider";
import { scrubSecrets } from "./scrub";
import { createSingleFlight, type FlightContext } from "./single-flight";
import { createThrottle } from "./throttle";

export interface LlmClientOptions {
  apiKey?: string;
  baseUrl?: string;
  cache?: LlmCache;
  /** Per provider request (default 120 000). */
  timeoutMs?: number;
  /**
   * Lifetime of a cross-process lock (default 15 000). The holder renews it every third of that
   * while its provider call lasts, so only a holder that died lets it lapse.
   */
  lockTimeoutMs?: number;
  /** Longest a waiter waits for another process's call before calling the provider itself (default 150 000). */
  lockWaitMs?: number;
  /** A cache operation slower than this counts as a failure (default 200). */
  cacheTimeoutMs?: number;
  /** Failed or slow cache operations in a row that open the breaker (default 3). */
  cacheFailureThreshold?: number;
  /** How long an open breaker skips the cache (default 5 000). */
  cacheRetryMs?: number;
  /** Minimum gap between partial-text callbacks (default 100). */
  partialIntervalMs?: number;
  /** The SDK's own retries (default 0: the node's retry policy decides). */
  maxRetries?: number;
  /** Other secrets to scrub from cache warnings (e.g. the Upstash token). */
  secrets?: string[];
  /** Replaces the openai-SDK provider (tests of the caching layer only). */
  provider?: LlmProvider;
}

const DEFAULT_TTL_SECONDS = 3600;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Creates the LLM client the engine calls through `ports.llm`.
 *
 * Caching and coalescing, for requests with `cache` not false and a cache configured:
 * 1. identical concurrent calls in this process share one flight (single-flight by cache key);
 * 2. the flight reads the cache: a hit is returned with `cached: true`;
 * 3. on a miss it takes the key's lock: the holder reads the cache once more (the previous holder
 *    may have just filled it), else calls the provider, fills the cache and releases. It renews
 *    the lock every `lockTimeoutMs / 3` while the call lasts (long completions), so the lock lapses
 *    only when its holder died. A process that finds the lock taken polls the cache until the
 *    value appears, the lock frees up (it then takes it) or `lockWaitMs` passes (it then calls the
 *    provider itself).
 *
 * Cache health: every cache operation is bounded by `cacheTimeoutMs`. A failed or slow operation
 * logs a warning and ends the cache's part in that flight, which goes on to the provider; the
 * cache never fails a call. After `cacheFailureThreshold` failures in a row the breaker opens and
 * flights skip the cache (with a warning) for `cacheRetryMs`; one success closes it. A single slow
 * operation (a cold connection) thus costs one bypass, while a dead cache stops costing time.
 * Create one client per process: the single-flight group lives in it.
 */
export function createLlmClient(options: LlmClientOptions = {}): LlmClient {
  const provider =
    options.provider ??
    createOpenAiProvider({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
    });
  const { cache } = options;
  const lockTimeoutMs = options.lockTimeoutMs ?? 15_000;
  const lockWaitMs = options.lockWaitMs ?? 150_000;
  const cacheTimeoutMs = options.cacheTimeoutMs ?? 200;
  const cacheRetryMs = options.cacheRetryMs ?? 5_000;
  const cacheFailureThreshold = options.cacheFailureThreshold ?? 3;
  const partialIntervalMs = options.partialIntervalMs ?? 100;
  const providerScope = options.baseUrl ?? "openai";
  const secrets = [options.apiKey, ...(options.secrets ?? [])];
  const flights = createSingleFlight<LlmResult>();
  let failuresInARow = 0;
  let breakerOpenUntil = 0;

  const bounded = <T>(op: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${cacheTimeoutMs} ms`)),
        cacheTimeoutMs,
      );
      op().then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });

  /**
   * A flight's view of the cache: `run` gives an operation's result, or undefined once any
   * operation of this flight failed or was slow, or while the breaker is open.
   */
  const cacheSession = (ctx: FlightContext) => {
    let usable = Date.now() >= breakerOpenUntil;
    if (!usable) ctx.log("warn", "LLM cache skipped after repeated failures; calling the provider directly");
    return {
      get usable() {
        return usable;
      },
      async run<T>(what: string, op: () => Promise<T>): Promise<{ value: T } | undefined> {
        if (!usable) return undefined;
        try {
          const value = await bounded(op);
          failuresInARow = 0;
          return { value };
        } catch (err) {
          usable = false;
          if (++failuresInARow >= cacheFailureThreshold) breakerOpenUntil = Date.now() + cacheRetryMs;
          const reason = err instanceof Error ? err.message : String(err);
          const message = `LLM cache unavailable (${what}: ${reason}); calling the provider directly`;
          ctx.log("warn", scrubSecrets(message, secrets));
          return undefined;
        }
      },
    };
  };

  const callProvider = async (
    req: LlmRequest,
    ctx: FlightContext,
    stream: boolean,
  ): Promise<LlmCachedValue> => {
    if (!stream) return provider.complete(req, { signal: ctx.signal });
    const throttle = createThrottle<string>((text) => ctx.partial(text), partialIntervalMs);
    try {
      const value = await provider.complete(req, {
        signal: ctx.signal,
        onText: (text) => throttle.push(text),
      });
      throttle.flush();
      return value;
    } finally {
      throttle.cancel();
    }
  };

  const cachedFlight = async (
    c: LlmCache,
    key: string,
    req: LlmRequest,
    ctx: FlightContext,
    stream: boolean,
  ): Promise<LlmResult> => {
    const ttl = req.cacheTtlSeconds ?? DEFAULT_TTL_SECONDS;
    const session = cacheSession(ctx);
    const hit = async (): Promise<LlmResult | undefined> => {
      const found = await session.run("get", () => c.get(key));
      if (!found?.value) return undefined;
      if (stream) ctx.partial(found.value.text);
      return { ...found.value, cached: true };
    };
    const lock = async () =>
      (await session.run("lock", () => c.acquireLock(key, lockTimeoutMs)))?.value ?? false;

    const first = await hit();
    if (first) return first;
    let locked = await lock();
    if (!locked && session.usable) {
      const deadline = Date.now() + lockWaitMs;
      let pause = 20;
      while (!locked && session.usable && Date.now() < deadline) {
        await sleep(pause, ctx.signal);
        pause = Math.min(pause * 1.5, 250);
        const later = await hit();
        if (later) return later;
        locked = await lock();
      }
      if (!locked && session.usable) {
        ctx.log(
          "warn",
          "LLM cache: another process has held this request's lock too long; calling the provider",
        );
      }
    }
    try {
      // The previous holder may have filled the cache between our miss and our lock.
      if (locked) {
        const filled = await hit();
        if (filled) return filled;
      }
      // A renewal that fails only risks a duplicate provider call elsewhere: it is not retried.
      const renewal = locked
        ? setInterval(
            () => void bounded(() => c.renewLock(key, lockTimeoutMs)).catch(() => {}),
            lockTimeoutMs / 3,
          )
        : undefined;
      let value: LlmCachedValue;
      try {
        value = await callProvider(req, ctx, stream);
      } finally {
        clearInterval(renewal);
      }
      await session.run("set", () => c.set(key, value, ttl));
      return { ...value, cached: false };
    } finally {
      // Released even when this flight stopped trusting the cache; else the lock just expires.
      if (locked) await bounded(() => c.releaseLock(key)).catch(() => {});
    }
  };

  return {
    async complete(req, callOptions = {}) {
      const stream = callOptions.onPartial !== undefined;
      const useCache = cache !== undefined && req.cache !== false;
      if (!useCache) {
        const caller = { ...callOptions };
        const ctx: FlightContext = {
          signal: caller.signal ?? new AbortController().signal,
          partial: (text) => caller.onPartial?.(text),
          log: (level, message) => caller.log?.(level, message),
        };
        return { ...(await callProvider(req, ctx, stream)), cached: false };
      }
      const key = cacheKey(req, providerScope);
      // Streaming and non-streaming callers share a flight only with their own kind.
      const flightKey = `${key}:${stream ? "stream" : "plain"}`;
      return flights.run(flightKey, callOptions, (ctx) => cachedFlight(cache, key, req, ctx, stream));
    },
  };
}

const fromEnv = new WeakMap<Database, LlmClient>();

/**
 * The process's LLM client from the environment (SPEC §6): `OPENAI_API_KEY`/`OPENAI_BASE_URL`,
 * and the response cache on Upstash when `UPSTASH_REDIS_REST_URL` and `_TOKEN` are set, else in
 * the given database. One client per database, so single-flight spans the whole process;
 * `overrides` (tuning, tests) apply when that client is first created.
 */
export function createLlmClientFromEnv(
  database: Database,
  overrides: Partial<LlmClientOptions> = {},
): LlmClient {
  const existing = fromEnv.get(database);
  if (existing) return existing;
  const env = getEnv();
  const upstash =
    env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN
      ? { url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }
      : undefined;
  const client = createLlmClient({
    apiKey: env.OPENAI_API_KEY,
    baseUrl: env.OPENAI_BASE_URL,
    cache: upstash ? createUpstashCache(upstash) : createPostgresCache(database.db),
    secrets: upstash ? [upstash.token] : [],
    ...overrides,
  });
  fromEnv.set(database, client);
  return client;
}
