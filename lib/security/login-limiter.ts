import { sql } from "drizzle-orm";
import { type Db, getDb, query } from "@/lib/db/client";

/** Failed sign-ins a client may make before it has to wait between attempts. */
export const FREE_LOGIN_FAILURES = 5;
/** The longest a client waits between attempts, however many it failed. */
export const MAX_LOGIN_DELAY_MS = 60_000;
/** Failed sign-ins across all clients per minute before everyone waits GLOBAL_DELAY_MS. */
export const GLOBAL_FREE_FAILURES_PER_MINUTE = 30;
export const GLOBAL_DELAY_MS = 1_000;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const MAX_TRACKED = 10_000;

/**
 * An in-process slow-down of password guessing, never a lockout (the route uses the shared
 * `createDatabaseLoginLimiter`, which counts the same way in the database). Per client key (the socket
 * address, see `clientAddress`): after FREE_LOGIN_FAILURES failures within LOGIN_WINDOW_MS the
 * client waits 1 s, 2 s, 4 s… (at most MAX_LOGIN_DELAY_MS) after each failure. Globally: past
 * GLOBAL_FREE_FAILURES_PER_MINUTE failures in a minute, every attempt waits GLOBAL_DELAY_MS after
 * the last failure, which bounds guessing from many addresses. A success clears the client's count.
 */
export function createLoginLimiter(
  options: { free?: number; maxDelayMs?: number; globalFreePerMinute?: number; windowMs?: number } = {},
) {
  const free = options.free ?? FREE_LOGIN_FAILURES;
  const maxDelayMs = options.maxDelayMs ?? MAX_LOGIN_DELAY_MS;
  const globalFree = options.globalFreePerMinute ?? GLOBAL_FREE_FAILURES_PER_MINUTE;
  const windowMs = options.windowMs ?? LOGIN_WINDOW_MS;
  const failures = new Map<string, { count: number; since: number; last: number }>();
  let recent: number[] = [];
  const current = (key: string, now: number) => {
    const entry = failures.get(key);
    if (entry && now - entry.since > windowMs) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  };
  const recentFailures = (now: number) => {
    recent = recent.filter((t) => now - t < 60_000);
    return recent;
  };
  return {
    /** Milliseconds `key` must still wait before its next attempt (0: go ahead). */
    waitMs(key: string, now: number = Date.now()): number {
      let wait = 0;
      const entry = current(key, now);
      if (entry && entry.count >= free) {
        const delay = Math.min(maxDelayMs, 1000 * 2 ** (entry.count - free));
        wait = Math.max(wait, entry.last + delay - now);
      }
      const global = recentFailures(now);
      if (global.length >= globalFree) wait = Math.max(wait, (global.at(-1) ?? 0) + GLOBAL_DELAY_MS - now);
      return Math.max(0, wait);
    },
    fail(key: string, now: number = Date.now()): void {
      recentFailures(now).push(now);
      const entry = current(key, now);
      if (entry) {
        entry.count++;
        entry.last = now;
      } else {
        if (failures.size >= MAX_TRACKED) failures.delete(failures.keys().next().value as string);
        failures.set(key, { count: 1, since: now, last: now });
      }
    },
    succeed(key: string): void {
      failures.delete(key);
    },
  };
}

/** What the login route needs of a limiter (the in-memory one answers synchronously). */
export interface LoginLimiter {
  waitMs(key: string): number | Promise<number>;
  fail(key: string): void | Promise<void>;
  succeed(key: string): void | Promise<void>;
}

const GLOBAL_KEY = "global";
const clientKey = (key: string) => `client:${key}`;

/**
 * The same slow-down as `createLoginLimiter`, counted in Postgres (table `login_failures`, by the
 * database clock) so every process shares it: a guesser spreading attempts over several processes
 * or instances is slowed down as one client. The global count is a fixed one-minute window under
 * the key `global`; client rows whose window ended are deleted whenever that window turns over.
 */
export function createDatabaseLoginLimiter(
  getDb: () => Db | Promise<Db>,
  options: { free?: number; maxDelayMs?: number; globalFreePerMinute?: number; windowMs?: number } = {},
): LoginLimiter {
  const free = options.free ?? FREE_LOGIN_FAILURES;
  const maxDelayMs = options.maxDelayMs ?? MAX_LOGIN_DELAY_MS;
  const globalFree = options.globalFreePerMinute ?? GLOBAL_FREE_FAILURES_PER_MINUTE;
  const windowMs = options.windowMs ?? LOGIN_WINDOW_MS;
  const windowOf = sql`(case when f.key = ${GLOBAL_KEY} then 60000 else ${windowMs}::int end) * interval '1 millisecond'`;
  return {
    async waitMs(key) {
      const rows = await query<{ key: string; count: number; since_ms: number; last_ms: number }>(
        await getDb(),
        sql`select key, count, (extract(epoch from (now() - since)) * 1000)::float8 as since_ms,
            (extract(epoch from (now() - last)) * 1000)::float8 as last_ms
          from login_failures where key in (${clientKey(key)}, ${GLOBAL_KEY})`,
      );
      let wait = 0;
      for (const row of rows) {
        const count = Number(row.count);
        const sinceMs = Number(row.since_ms);
        const lastMs = Number(row.last_ms);
        if (row.key === GLOBAL_KEY) {
          if (sinceMs < 60_000 && count >= globalFree) wait = Math.max(wait, GLOBAL_DELAY_MS - lastMs);
        } else if (sinceMs <= windowMs && count >= free) {
          wait = Math.max(wait, Math.min(maxDelayMs, 1000 * 2 ** (count - free)) - lastMs);
        }
      }
      return Math.max(0, Math.ceil(wait));
    },
    async fail(key) {
      const db = await getDb();
      const rows = await query<{ key: string; fresh: boolean }>(
        db,
        sql`insert into login_failures as f (key, count, since, last)
            values (${clientKey(key)}, 1, now(), now()), (${GLOBAL_KEY}, 1, now(), now())
          on conflict (key) do update set
            count = case when f.since <= now() - ${windowOf} then 1 else f.count + 1 end,
            since = case when f.since <= now() - ${windowOf} then now() else f.since end,
            last = now()
          returning f.key, (f.count = 1) as fresh`,
      );
      if (rows.some((r) => r.key === GLOBAL_KEY && r.fresh)) {
        await db.execute(
          sql`delete from login_failures where key <> ${GLOBAL_KEY}
            and since < now() - ${windowMs}::int * interval '1 millisecond'`,
        );
      }
    },
    async succeed(key) {
      await (await getDb()).execute(sql`delete from login_failures where key = ${clientKey(key)}`);
    },
  };
}

const globalForLimiter = globalThis as unknown as { __braidLoginLimiter?: LoginLimiter };

/** The limiter the login route uses: counted in the process-wide database, shared by processes. */
export function getLoginLimiter(): LoginLimiter {
  globalForLimiter.__braidLoginLimiter ??= createDatabaseLoginLimiter(getDb);
  return globalForLimiter.__braidLoginLimiter;
}
