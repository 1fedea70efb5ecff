import "server-only";
import { CODE_LINE_OFFSET, checkCodeSyntax, wrapCodeSource } from "./check-syntax";
import { CodeError, type CodeErrorKind, type CodeLog, type CodeSyntaxError } from "./code-error";
import { getSandboxPool, PoolTaskError, type SandboxPool } from "./pool";

/** A JSON value, as code returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One invocation of user code. */
export interface RunCodeOptions {
  /** The body of an async function that sees `input`, `inputs`, `nodes`, `item` and `index`. */
  source: string;
  input: unknown;
  inputs: unknown;
  nodes: Record<string, unknown>;
  item?: unknown;
  index?: number;
  /** Default 1000, at most 30000. */
  timeoutMs?: number;
  /** Default 64, at most 256. */
  memoryMb?: number;
  signal?: AbortSignal;
  /** A pool other than the process-wide one (tests, benches). */
  pool?: SandboxPool;
}

/** What code returned, and what it wrote with `console.*`. */
export interface RunCodeResult {
  value: JsonValue;
  logs: CodeLog[];
  logsTruncated: boolean;
}

/** Limits of one invocation (SPEC: the `code` node). */
export const CODE_LIMITS = {
  timeoutMs: { default: 1_000, max: 30_000 },
  memoryMb: { default: 64, max: 256 },
  maxLogLines: 100,
  maxLogBytes: 10 * 1024,
  stackBytes: 1024 * 1024,
  /** How long past `timeoutMs` a worker may stay silent before it is terminated and replaced. */
  graceMs: 2_000,
} as const;

function bounded(value: number | undefined, limit: { default: number; max: number }, name: string): number {
  if (value === undefined) return limit.default;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`);
  return Math.min(value, limit.max);
}

/** Syntax checks by source: a node runs the same source again and again (loops, retries, runs). */
const SYNTAX_CACHE_MAX = 500;
const syntaxCache = new Map<string, CodeSyntaxError | null>();

function checkedSyntax(source: string): CodeSyntaxError | null {
  const cached = syntaxCache.get(source);
  if (cached !== undefined) return cached;
  const found = checkCodeSyntax(source);
  if (syntaxCache.size >= SYNTAX_CACHE_MAX) syntaxCache.clear();
  syntaxCache.set(source, found);
  return found;
}

const KIND_LABEL: Record<CodeErrorKind, string> = {
  syntax: "syntax error",
  runtime: "error",
  timeout: "timeout",
  memory: "out of memory",
  stack: "stack overflow",
  result: "bad result",
};

/**
 * Runs user JavaScript in a QuickJS (WebAssembly) sandbox on a worker thread: a fresh context per
 * call, data in and out as JSON, limited in time, memory and stack. Throws a `CodeError` naming
 * the kind of failure and, when known, the line in the user's source.
 */
export async function runCode(options: RunCodeOptions): Promise<RunCodeResult> {
  const timeoutMs = bounded(options.timeoutMs, CODE_LIMITS.timeoutMs, "timeoutMs");
  const memoryMb = bounded(options.memoryMb, CODE_LIMITS.memoryMb, "memoryMb");
  const syntax = checkedSyntax(options.source);
  if (syntax) {
    throw new CodeError(
      `SyntaxError: ${syntax.message} (line ${syntax.line}, column ${syntax.column})`,
      "syntax",
      syntax,
    );
  }
  let data: string;
  try {
    data = JSON.stringify({
      input: options.input ?? null,
      inputs: options.inputs ?? null,
      nodes: options.nodes,
      item: options.item ?? null,
      index: options.index ?? null,
    });
  } catch (err) {
    throw new CodeError(`the code's input is not JSON: ${(err as Error).message}`, "runtime");
  }
  const pool = options.pool ?? getSandboxPool();
  let answer: { json: string; logs: CodeLog[]; logsTruncated: boolean };
  try {
    answer = (await pool.run({
      task: {
        kind: "code",
        script: wrapCodeSource(options.source),
        lineOffset: CODE_LINE_OFFSET,
        data,
        timeoutMs,
        memoryBytes: memoryMb * 1024 * 1024,
        stackBytes: CODE_LIMITS.stackBytes,
        maxLogLines: CODE_LIMITS.maxLogLines,
        maxLogBytes: CODE_LIMITS.maxLogBytes,
      },
      hardTimeoutMs: timeoutMs + CODE_LIMITS.graceMs,
      onHardTimeout: {
        kind: "timeout",
        message: `the sandbox stopped answering ${timeoutMs} ms into the run; it was terminated`,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    })) as typeof answer;
  } catch (err) {
    if (!(err instanceof PoolTaskError)) throw err;
    const f = err.failure;
    // An abort is the caller's own decision (a cancelled run): it gets its own reason back.
    if (f.kind === "aborted") throw options.signal?.reason ?? new CodeError(f.message, "timeout");
    const kind: CodeErrorKind = f.kind;
    const where = { ...(f.line ? { line: f.line } : {}), ...(f.column ? { column: f.column } : {}) };
    const logs = { logs: f.logs ?? [], logsTruncated: f.logsTruncated ?? false };
    annotate(logs);
    throw new CodeError(
      failureMessage(kind, f.message, timeoutMs, memoryMb, where.line),
      kind,
      where,
      logs.logs,
      logs.logsTruncated,
    );
  }
  return { value: JSON.parse(answer.json) as JsonValue, logs: answer.logs, logsTruncated: annotate(answer) };
}

function annotate(answer: { logs: CodeLog[]; logsTruncated: boolean }): boolean {
  if (answer.logsTruncated) {
    answer.logs.push({
      level: "warn",
      message: `log output cut at ${CODE_LIMITS.maxLogLines} lines or ${CODE_LIMITS.maxLogBytes / 1024} KB`,
    });
  }
  return answer.logsTruncated;
}

function failureMessage(
  kind: CodeErrorKind,
  message: string,
  timeoutMs: number,
  memoryMb: number,
  line?: number,
): string {
  const at = line ? ` (line ${line})` : "";
  switch (kind) {
    case "timeout":
      return message === "interrupted" ? `the code ran past its ${timeoutMs} ms timeout${at}` : message;
    case "memory":
      return `the code ran out of memory (${memoryMb} MB)${/out of memory/i.test(message) ? "" : `: ${message}`}${at}`;
    case "stack":
      return `stack overflow: recursion too deep${at}`;
    default:
      return `${KIND_LABEL[kind] === "error" ? "" : `${KIND_LABEL[kind]}: `}${message}${at}`;
  }
}
