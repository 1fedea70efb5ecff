import "server-only";
import { randomUUID } from "node:crypto";
import { Redis } from "@upstash/redis";
import { isLlmCachedValue, type LlmCache } from "./llm-cache";

const RENEW_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/**
 * The LLM cache on Upstash Redis (REST): values as JSON strings with `PX` expiry, locks with
 * `SET NX PX`, a compare-and-`PEXPIRE` renewal and a compare-and-delete release. The SDK's retries are off and each request is
 * aborted after `requestTimeoutMs`, so a dead endpoint fails fast instead of piling up requests.
 */
export function createUpstashCache(options: {
  url: string;
  token: string;
  /** Prepended to every key (tests use a random one). */
  prefix?: string;
  requestTimeoutMs?: number;
}): LlmCache {
  const prefix = options.prefix ?? "";
  const timeoutMs = options.requestTimeoutMs ?? 2_000;
  const owner = randomUUID();
  let client: Redis | undefined;
  // Built on first use, so a malformed URL fails cache operations (which the LLM client bypasses)
  // rather than whoever assembles the ports.
  const redis = () =>
    (client ??= new Redis({
      url: options.url,
      token: options.token,
      retry: { retries: 0 },
      automaticDeserialization: false,
      enableTelemetry: false,
      signal: () => AbortSignal.timeout(timeoutMs),
    }));
  const lockKey = (key: string) => `${prefix}${key}:lock`;

  return {
    async get(key) {
      const raw = await redis().get<string>(prefix + key);
      if (typeof raw !== "string") return undefined;
      try {
        const value: unknown = JSON.parse(raw);
        return isLlmCachedValue(value) ? value : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, value, ttlSeconds) {
      await redis().set(prefix + key, JSON.stringify(value), {
        px: Math.max(1, Math.round(ttlSeconds * 1000)),
      });
    },
    async acquireLock(key, ttlMs) {
      const reply = await redis().set(lockKey(key), owner, { nx: true, px: Math.max(1, Math.round(ttlMs)) });
      return reply === "OK";
    },
    async renewLock(key, ttlMs) {
      const ms = String(Math.max(1, Math.round(ttlMs)));
      return Number(await redis().eval(RENEW_SCRIPT, [lockKey(key)], [owner, ms])) === 1;
    },
    async releaseLock(key) {
      await redis().eval(RELEASE_SCRIPT, [lockKey(key)], [owner]);
    },
  };
}
