import { Redis } from "@upstash/redis";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { loggableError } from "./safe-error";

/** One counted webhook call: the calls in the current window (this one included) and when it ends. */
export interface WebhookCount {
  hits: number;
  retryAfterSeconds: number;
  /** Where it was counted. */
  store: "redis" | "postgres";
}

/**
 * Counts a call in Postgres: a fixed window aligned on the database clock (table `webhook_hits`),
 * shared by every process. Windows before the current one are deleted as it opens.
 */
export async function countWebhookCallInPostgres(
  db: Db,
  token: string,
  windowSeconds: number,
): Promise<WebhookCount> {
  const [hit] = await query<{ hits: number; retry_after: number; fresh: boolean }>(
    db,
    sql`insert into webhook_hits as h (token, window_start, hits)
        values (${token}, to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}::int) * ${windowSeconds}::int), 1)
        on conflict (token, window_start) do update set hits = h.hits + 1
        returning h.hits,
          ceil(extract(epoch from (h.window_start + ${windowSeconds}::int * interval '1 second' - now())))::int as retry_after,
          (h.hits = 1) as fresh`,
  );
  if (hit?.fresh) {
    await db.execute(
      sql`delete from webhook_hits where token = ${token}
          and window_start < now() - ${windowSeconds}::int * interval '1 second'`,
    );
  }
  return {
    hits: Number(hit?.hits ?? 0),
    retryAfterSeconds: Math.max(1, Number(hit?.retry_after ?? 1)),
    store: "postgres",
  };
}

/** INCR, and PEXPIRE when the key is new (or lost its expiry): a fixed window opened by its first call. */
const COUNT_SCRIPT = `local n = redis.call("incr", KEYS[1])
local ttl = redis.call("pttl", KEYS[1])
if n == 1 or ttl < 0 then
  redis.call("pexpire", KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

/** Keys are `<prefix><token>:<windowSeconds>`. */
export const WEBHOOK_REDIS_PREFIX = "braid:webhook-hits:";

/**
 * A webhook call counter on Upstash Redis (REST): one atomic script per call (INCR, and PEXPIRE
 * on the window's first call), so every process and instance sharing the Redis shares the count.
 * Retries are off and a request is aborted after `requestTimeoutMs`: a dead Redis costs one
 * short wait before the caller falls back.
 */
export function createRedisWebhookCounter(options: {
  url: string;
  token: string;
  prefix?: string;
  requestTimeoutMs?: number;
}): (token: string, windowSeconds: number) => Promise<WebhookCount> {
  const prefix = options.prefix ?? WEBHOOK_REDIS_PREFIX;
  const timeoutMs = options.requestTimeoutMs ?? 1_000;
  let client: Redis | undefined;
  return async (token, windowSeconds) => {
    client ??= new Redis({
      url: options.url,
      token: options.token,
      retry: { retries: 0 },
      automaticDeserialization: false,
      enableTelemetry: false,
      signal: () => AbortSignal.timeout(timeoutMs),
    });
    const windowMs = windowSeconds * 1000;
    const reply = await client.eval(COUNT_SCRIPT, [`${prefix}${token}:${windowSeconds}`], [String(windowMs)]);
    if (!Array.isArray(reply) || reply.length !== 2) throw new Error("unexpected answer from Redis");
    const hits = Number(reply[0]);
    const ttlMs = Number(reply[1]);
    if (!Number.isFinite(hits) || !Number.isFinite(ttlMs)) throw new Error("unexpected answer from Redis");
    return { hits, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)), store: "redis" };
  };
}

const holder = globalThis as {
  __braidWebhookCounter?: { key: string; count: ReturnType<typeof createRedisWebhookCounter> };
  __braidWebhookRedisWarnedAt?: number;
};

/**
 * Counts one call of a webhook: in Redis when Upstash is configured (UPSTASH_REDIS_REST_URL and
 * _TOKEN), falling back to Postgres when Redis fails (logged at most once a minute); in Postgres
 * otherwise.
 */
export async function countWebhookCall(db: Db, token: string, windowSeconds: number): Promise<WebhookCount> {
  const env = getEnv();
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    const key = `${env.UPSTASH_REDIS_REST_URL}\n${env.UPSTASH_REDIS_REST_TOKEN}`;
    if (holder.__braidWebhookCounter?.key !== key) {
      holder.__braidWebhookCounter = {
        key,
        count: createRedisWebhookCounter({
          url: env.UPSTASH_REDIS_REST_URL,
          token: env.UPSTASH_REDIS_REST_TOKEN,
        }),
      };
    }
    try {
      return await holder.__braidWebhookCounter.count(token, windowSeconds);
    } catch (err) {
      const now = Date.now();
      if (now - (holder.__braidWebhookRedisWarnedAt ?? 0) > 60_000) {
        holder.__braidWebhookRedisWarnedAt = now;
        console.warn(`webhook rate limit: Redis failed, counting in Postgres: ${loggableError(err)}`);
      }
    }
  }
  return countWebhookCallInPostgres(db, token, windowSeconds);
}
