import "server-only";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { isLlmCachedValue, type LlmCache } from "./llm-cache";

/**
 * The LLM cache in Postgres: `llm_cache` rows upserted with an expiry (expired rows read as misses
 * and are pruned every `pruneEveryMs`, at most `pruneBatch` rows at a time) and cross-process locks
 * in `locks`, taken when absent or expired.
 */
export function createPostgresCache(
  db: Db,
  options: { pruneEveryMs?: number; pruneBatch?: number } = {},
): LlmCache {
  const owner = randomUUID();
  const pruneEveryMs = options.pruneEveryMs ?? 60_000;
  const pruneBatch = options.pruneBatch ?? 1_000;
  let lastPrune = 0;
  let pruning: Promise<void> | undefined;

  const prune = async () => {
    await db.execute(
      sql`delete from llm_cache where key in (
        select key from llm_cache where expires_at < now() limit ${pruneBatch})`,
    );
    await db.execute(sql`delete from locks where expires_at < now() - interval '1 minute'`);
  };
  const maybePrune = () => {
    const now = Date.now();
    if (pruning || now - lastPrune < pruneEveryMs) return;
    lastPrune = now;
    pruning = prune()
      .catch(() => {})
      .finally(() => {
        pruning = undefined;
      });
  };

  return {
    async get(key) {
      const [row] = await query<{ value: unknown }>(
        db,
        sql`select value from llm_cache where key = ${key} and expires_at > now()`,
      );
      return row && isLlmCachedValue(row.value) ? row.value : undefined;
    },
    async set(key, value, ttlSeconds) {
      const ttlMs = Math.max(1, Math.round(ttlSeconds * 1000));
      await db.execute(
        sql`insert into llm_cache (key, value, expires_at)
            values (${key}, ${JSON.stringify(value)}::jsonb, now() + ${ttlMs} * interval '1 millisecond')
            on conflict (key) do update
              set value = excluded.value, expires_at = excluded.expires_at, created_at = now()`,
      );
      maybePrune();
    },
    async acquireLock(key, ttlMs) {
      const rows = await query<{ key: string }>(
        db,
        sql`insert into locks (key, owner, expires_at)
            values (${key}, ${owner}, now() + ${Math.max(1, Math.round(ttlMs))} * interval '1 millisecond')
            on conflict (key) do update
              set owner = excluded.owner, expires_at = excluded.expires_at
              where locks.expires_at <= now()
            returning key`,
      );
      return rows.length > 0;
    },
    async renewLock(key, ttlMs) {
      const rows = await query<{ key: string }>(
        db,
        sql`update locks set expires_at = now() + ${Math.max(1, Math.round(ttlMs))} * interval '1 millisecond'
            where key = ${key} and owner = ${owner} and expires_at > now()
            returning key`,
      );
      return rows.length > 0;
    },
    async releaseLock(key) {
      await db.execute(sql`delete from locks where key = ${key} and owner = ${owner}`);
    },
  };
}
