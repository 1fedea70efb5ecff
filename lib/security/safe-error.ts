/**
 * What an error may say outside the server: a database error's SQL and query parameters never leave
 * it (they can hold user data and secrets, and a 268 MB parameter once went to stdout). drizzle's
 * `Failed query: <sql>\nparams: <values>` becomes `database error: <the driver's own message>`,
 * and any other message is cut at a `params:` line and bounded in length.
 */
export function safeErrorMessage(err: unknown, maxLength = 1000): string {
  const given = (err as { message?: unknown } | null)?.message;
  const message = typeof given === "string" ? given : String(err);
  if (/^Failed query:/.test(message) || (err instanceof Error && err.name === "DrizzleQueryError")) {
    const cause = err instanceof Error ? (err as { cause?: unknown }).cause : undefined;
    const reason = cause instanceof Error ? firstLine(cause.message) : "the query failed";
    const code = (cause as { code?: unknown } | undefined)?.code;
    return bound(`database error${typeof code === "string" ? ` ${code}` : ""}: ${reason}`, maxLength);
  }
  return bound(message.replace(/\n\s*params:[\s\S]*$/, ""), maxLength);
}

/** The error as it may be logged: its name and safe message, and the cause's, never SQL parameters. */
export function loggableError(err: unknown): string {
  if (!(err instanceof Error)) return safeErrorMessage(err);
  const stack = (err.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 8);
  return [`${err.name}: ${safeErrorMessage(err)}`, ...stack].join("\n");
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? "";
}

function bound(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}
