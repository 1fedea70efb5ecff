/**
 * Telling a lost database connection from a real error, and retrying through it. No imports: the
 * API error mapping uses it too.
 */
/** Error codes of a lost or refused database connection (Node, postgres.js, SQLSTATE 08xxx/57P0x). */
const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "53300", // too_many_connections
]);

/**
 * Whether `err` (or an error it wraps, as drizzle's "Failed query" does) says the database could
 * not be reached or dropped the connection: the query may be retried once it is back, and nothing
 * about the data is wrong.
 */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || code.startsWith("08"))) return true;
    const message = (e as { message?: unknown }).message;
    if (
      typeof message === "string" &&
      /terminating connection|connection (?:terminated|closed|refused)/i.test(message)
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Backoff between retries after a connection error: 50 ms doubling to 1 s, with jitter. */
export function connectionBackoffMs(attempt: number): number {
  const base = Math.min(1000, 50 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/**
 * Runs `fn`, retrying it with backoff while it fails with a connection error, for at most
 * `giveUpMs` (default 10 minutes) or until `signal` aborts; other errors are thrown at once. Only
 * for statements that are safe to repeat (idempotent or fenced).
 */
export async function retryOnConnectionError<T>(
  fn: () => Promise<T>,
  options: { giveUpMs?: number; signal?: AbortSignal; what?: string } = {},
): Promise<T> {
  const until = Date.now() + (options.giveUpMs ?? 600_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() >= until || options.signal?.aborted) throw err;
      if (attempt === 0 && options.what) console.warn(`database unreachable (${options.what}); retrying…`);
      await new Promise((r) => setTimeout(r, connectionBackoffMs(attempt)));
    }
  }
}
