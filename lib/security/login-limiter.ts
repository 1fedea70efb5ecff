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
 * An in-process slow-down of password guessing, never a lockout. Per client key (the socket
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

const globalForLimiter = globalThis as unknown as {
  __braidLoginLimiter?: ReturnType<typeof createLoginLimiter>;
};

/** The process-wide limiter the login route uses. */
export function getLoginLimiter(): ReturnType<typeof createLoginLimiter> {
  globalForLimiter.__braidLoginLimiter ??= createLoginLimiter();
  return globalForLimiter.__braidLoginLimiter;
}
