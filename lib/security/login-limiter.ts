/** Failed sign-ins allowed per client within the window before further attempts are refused. */
export const MAX_LOGIN_FAILURES = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const MAX_TRACKED = 10_000;

/**
 * An in-process limiter of failed sign-ins per client key (the first X-Forwarded-For address, or
 * "local"). It slows password guessing; it is per process, so a fleet multiplies the allowance.
 */
export function createLoginLimiter(options: { max?: number; windowMs?: number } = {}) {
  const max = options.max ?? MAX_LOGIN_FAILURES;
  const windowMs = options.windowMs ?? LOGIN_WINDOW_MS;
  const failures = new Map<string, { count: number; since: number }>();
  const current = (key: string, now: number) => {
    const entry = failures.get(key);
    if (entry && now - entry.since > windowMs) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    /** Whether `key` may try again now. */
    allowed(key: string, now: number = Date.now()): boolean {
      return (current(key, now)?.count ?? 0) < max;
    },
    fail(key: string, now: number = Date.now()): void {
      const entry = current(key, now);
      if (entry) entry.count++;
      else {
        if (failures.size >= MAX_TRACKED) failures.delete(failures.keys().next().value as string);
        failures.set(key, { count: 1, since: now });
      }
    },
    succeed(key: string): void {
      failures.delete(key);
    },
  };
}

/** The limiter key of a request. */
export function clientKey(req: Request): string {
  const forwarded = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || req.headers.get("x-real-ip") || "local";
}

const globalForLimiter = globalThis as unknown as {
  __braidLoginLimiter?: ReturnType<typeof createLoginLimiter>;
};

/** The process-wide limiter the login route uses. */
export function getLoginLimiter(): ReturnType<typeof createLoginLimiter> {
  globalForLimiter.__braidLoginLimiter ??= createLoginLimiter();
  return globalForLimiter.__braidLoginLimiter;
}
