import "server-only";
import { cacheKey, type LlmCache, type LlmCachedValue } from "@/lib/cache/llm-cache";
import { createPostgresCache } from "@/lib/cache/postgres-cache";
import { createUpstashCache } from "@/lib/cache/upstash-cache";
import type { Database } from "@/lib/db/client";
import type { LlmCallOptions, LlmClient, LlmRequest, LlmResult } from "@/lib/engine/ports";
import { getEnv } from "@/lib/env";
import { recordLlmCall } from "@/lib/telemetry/metrics";
import { createOpenAiProvider, type LlmProvider } from "./openai-provider";
import { costOf, DEFAULT_PRICES, type PriceTable, parsePrices } from "./prices";
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
  /**
   * How long a flight waits for a cache read or lock before going on without the cache (default
   * 200). A slow operation is not a failure: it is not abandoned, it still counts as a success if
   * it answers later, and a flight that gave up waiting still writes the provider's answer.
   */
  cacheTimeoutMs?: number;
  /** The wait allowed for the cache's first operations, until it has answered once (default 1 500). */
  cacheColdStartMs?: number;
  /** How long a flight waits for its write before answering anyway (default 2 000); the write goes on. */
  cacheWriteTimeoutMs?: number;
  /** Failed cache operations in a row (errors, not slowness) that open the breaker (default 3). */
  cacheFailureThreshold?: number;
  /** How long an open breaker skips the cache (default 5 000). */
  cacheRetryMs?: number;
  /**
   * How long a finished flight's answer is kept in this process (default 30 000, at most the
   * request's TTL), so identical requests arriving just after it ended get it without a cache read.
   */
  recentMs?: number;
  /** Answers kept that way at most (default 500). */
  recentMax?: number;
  /** Minimum gap between partial-text callbacks (default 100). */
  partialIntervalMs?: number;
  /** The SDK's own retries (default 0: the node's retry policy decides). */
  maxRetries?: number;
  /** Other secrets to scrub from cache warnings (e.g. the Upstash token). */
  secrets?: string[];
  /** Prices by model (default: the shipped defaults); results carry `costUsd`/`savedUsd`. */
  prices?: PriceTable;
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
 * 1. identical concurrent calls in this process share one flight (single-flight by cache key), and
 *    a flight's answer stays in hand for `recentMs` (at most the TTL): identical calls arriving just
 *    after it ended get it as a hit without touching the cache;
 * 2. the flight reads the cache: a hit is returned with `cached: true`;
 * 3. on a miss it takes the key's lock: the holder reads the cache once more (the previous holder
 *    may have just filled it), else calls the provider, fills the cache and releases. It renews
 *    the lock every `lockTimeoutMs / 3` while the call lasts (long completions), so the lock lapses
 *    only when its holder died. A process that finds the lock taken polls the cache until the
 *    value appears, the lock frees up (it then takes it) or `lockWaitMs` passes (it then calls the
 *    provider itself).
 *
 * Cache health. A slow cache is not a dead one:
 * - a read or lock that takes longer than `cacheTimeoutMs` (`cacheColdStartMs` until the cache has
 *   answered once: a cold connection) makes the flight stop waiting and go on to the provider with
 *   a warning; the operation is not abandoned, and the provider's answer is still written;
 * - an operation that fails (an error, whenever it arrives) ends the cache's part in the flight,
 *   write included, and counts towards the breaker: after `cacheFailureThreshold` failures in a
 *   row flights skip the cache (with a warning) for `cacheRetryMs`; one success closes it.
 * The cache never fails a call. Create one client per process: the single-flight group lives in it.
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
  const coldStartMs = Math.max(cacheTimeoutMs, options.cacheColdStartMs ?? 1_500);
  const writeTimeoutMs = Math.max(cacheTimeoutMs, options.cacheWriteTimeoutMs ?? 2_000);
  const cacheRetryMs = options.cacheRetryMs ?? 5_000;
  const cacheFailureThreshold = options.cacheFailureThreshold ?? 3;
  const partialIntervalMs = options.partialIntervalMs ?? 100;
  const recentMs = options.recentMs ?? 30_000;
  const recentMax = options.recentMax ?? 500;
  const providerScope = options.baseUrl ?? "openai";
  const secrets = [options.apiKey, ...(options.secrets ?? [])];
  const prices = options.prices ?? DEFAULT_PRICES;
  const flights = createSingleFlight<LlmResult>();
  const recent = new Map<string, { value: LlmCachedValue; until: number }>();
  let failuresInARow = 0;
  let breakerOpenUntil = 0;
  let warm = false;

  const remember = (key: string, value: LlmCachedValue, ttlSeconds: number) => {
    const keepMs = Math.min(recentMs, ttlSeconds * 1000);
    if (keepMs <= 0) return;
    recent.delete(key);
    recent.set(key, { value, until: Date.now() + keepMs });
    while (recent.size > recentMax) {
      const oldest = recent.keys().next().value;
      if (oldest === undefined) break;
      recent.delete(oldest);
    }
  };
  const recalled = (key: string): LlmCachedValue | undefined => {
    const entry = recent.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.value;
    recent.delete(key);
    return undefined;
  };

  type Outcome<T> = { ok: true; value: T } | { ok: false; slow: boolean; reason: string };
  /**
   * Runs a cache operation and waits for it at most `limitMs`. Its real outcome, whenever it
   * arrives, is what the breaker counts.
   */
  const attempt = <T>(op: () => Promise<T>, limitMs: number): Promise<Outcome<T>> => {
    const running = new Promise<T>((resolve) => resolve(op()));
    running.then(
      () => {
        warm = true;
        failuresInARow = 0;
      },
      () => {
        warm = true;
        if (++failuresInARow >= cacheFailureThreshold) breakerOpenUntil = Date.now() + cacheRetryMs;
      },
    );
    return new Promise<Outcome<T>>((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, slow: true, reason: `no answer within ${limitMs} ms` }),
        limitMs,
      );
      running.then(
        (value) => {
          clearTimeout(timer);
          resolve({ ok: true, value });
        },
        (err: unknown) => {
          clearTimeout(timer);
          resolve({ ok: false, slow: false, reason: err instanceof Error ? err.message : String(err) });
        },
      );
    });
  };

  /**
   * A flight's view of the cache. `read` gives a read's or lock's result, or undefined once the
   * flight stopped waiting for the cache (slow or failed) or while the breaker is open. `write`
   * stores unless an operation of this flight failed or the breaker is open.
   */
  const cacheSession = (ctx: FlightContext) => {
    let state: "ok" | "slow" | "failed" = Date.now() >= breakerOpenUntil ? "ok" : "failed";
    if (state === "failed") {
      ctx.log("warn", "LLM cache skipped after repeated failures; calling the provider directly");
    }
    const warn = (what: string, reason: string) => {
      const message = `LLM cache unavailable (${what}: ${reason}); calling the provider directly`;
      ctx.log("warn", scrubSecrets(message, secrets));
    };
    return {
      get usable() {
        return state === "ok";
      },
      async read<T>(what: string, op: () => Promise<T>): Promise<{ value: T } | undefined> {
        if (state !== "ok") return undefined;
        const outcome = await attempt(op, warm ? cacheTimeoutMs : coldStartMs);
        if (outcome.ok) return { value: outcome.value };
        if (state === "ok") warn(what, outcome.reason);
        state = outcome.slow ? "slow" : "failed";
        return undefined;
      },
      /** Resolves once stored or after `writeTimeoutMs`; the write itself goes on. */
      async write(op: () => Promise<void>): Promise<void> {
        if (state === "failed" || Date.now() < breakerOpenUntil) return;
        const outcome = await attempt(op, writeTimeoutMs);
        if (!outcome.ok && !outcome.slow) warn("set", outcome.reason);
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
      const found = await session.read("get", () => c.get(key));
      if (!found?.value) return undefined;
      remember(key, found.value, ttl);
      if (stream) ctx.partial(found.value.text);
      return { ...found.value, cached: true };
    };
    const lock = async () =>
      (await session.read("lock", () => c.acquireLock(key, lockTimeoutMs)))?.value ?? false;

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
    let release = locked;
    try {
      // The previous holder may have filled the cache between our miss and our lock.
      if (locked) {
        const filled = await hit();
        if (filled) return filled;
      }
      // A renewal that fails only risks a duplicate provider call elsewhere: it is not retried.
      const renewal = locked
        ? setInterval(() => void c.renewLock(key, lockTimeoutMs).catch(() => {}), lockTimeoutMs / 3)
        : undefined;
      let value: LlmCachedValue;
      try {
        value = await callProvider(req, ctx, stream);
      } finally {
        clearInterval(renewal);
      }
      remember(key, value, ttl);
      const stored = session.write(() => c.set(key, value, ttl));
      if (locked) {
        // The lock is released once the value is stored (or the write failed), never before.
        release = false;
        void stored.then(() => c.releaseLock(key)).catch(() => {});
      }
      await stored;
      return { ...value, cached: false };
    } finally {
      // Released even when this flight stopped trusting the cache; else the lock just expires.
      if (release) void c.releaseLock(key).catch(() => {});
    }
  };

  const priced = (result: LlmResult): LlmResult => {
    const cost = costOf(prices, result.model, result.usage);
    return result.cached
      ? { ...result, costUsd: 0, savedUsd: cost }
      : { ...result, costUsd: cost, savedUsd: undefined };
  };

  const complete = async (req: LlmRequest, callOptions: LlmCallOptions): Promise<LlmResult> => {
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
    const inHand = recalled(key);
    if (inHand) {
      if (callOptions.signal?.aborted) throw callOptions.signal.reason;
      if (stream) callOptions.onPartial?.(inHand.text);
      return { ...inHand, cached: true };
    }
    // Streaming and non-streaming callers share a flight only with their own kind.
    const flightKey = `${key}:${stream ? "stream" : "plain"}`;
    return flights.run(flightKey, callOptions, (ctx) => cachedFlight(cache, key, req, ctx, stream));
  };

  return {
    async complete(req, callOptions = {}) {
      const result = priced(await complete(req, callOptions));
      if (result.savedUsd === undefined) delete result.savedUsd;
      recordLlmCall(result);
      return result;
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
    prices: parsePrices(env.LLM_PRICES),
    ...overrides,
  });
  fromEnv.set(database, client);
  return client;
}
