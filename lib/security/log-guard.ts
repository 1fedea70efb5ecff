import { loggableError } from "./safe-error";

/** The longest string argument a log line keeps (a runaway value must not flood stdout). */
export const MAX_LOG_ARG_CHARS = 64 * 1024;

const METHODS = ["error", "warn", "log", "info", "debug"] as const;
const holder = globalThis as { __braidLogGuard?: boolean };

/** One log argument as it may be written: errors without SQL parameters, strings bounded. */
export function safeLogArgument(arg: unknown): unknown {
  if (arg instanceof Error) return loggableError(arg);
  if (typeof arg === "string") {
    const cut = arg.replace(/\n\s*params:[\s\S]*$/, "");
    return cut.length > MAX_LOG_ARG_CHARS
      ? `${cut.slice(0, MAX_LOG_ARG_CHARS)}… (${cut.length - MAX_LOG_ARG_CHARS} more characters)`
      : cut;
  }
  return arg;
}

/**
 * Makes `target`'s log methods pass every argument through `safeLogArgument`, so no log line
 * carries a query's parameters: drizzle puts them in its `Failed query: …\nparams: …` error
 * message, and one such error once wrote 268 MB of user data to stdout. (Neither drizzle's query
 * logger nor postgres.js's `debug` is turned on anywhere; this covers errors logged as they are.)
 */
export function guardConsole(target: Pick<Console, (typeof METHODS)[number]>): void {
  for (const method of METHODS) {
    const original = target[method].bind(target);
    target[method] = (...args: unknown[]) => original(...args.map(safeLogArgument));
  }
}

/** `guardConsole(console)` once per process (Next.js start-up, `npm run worker`). */
export function installLogGuard(): void {
  if (holder.__braidLogGuard) return;
  holder.__braidLogGuard = true;
  guardConsole(console);
}
