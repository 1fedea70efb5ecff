/** What stopped a piece of user code, for the node's error and the editor. */
export type CodeErrorKind = "syntax" | "runtime" | "timeout" | "memory" | "stack" | "result";

/** Where a syntax error sits in the user's source: 1-based line and column. */
export interface CodeSyntaxError {
  message: string;
  line: number;
  column: number;
}

/** A log line written by `console.*` inside the sandbox. */
export interface CodeLog {
  level: "info" | "warn" | "error" | "debug";
  message: string;
}

/**
 * A failure of user code: its message, the line (and column when known) in the user's source,
 * and what kind of limit or error stopped it. `logs` are the lines written before it failed.
 */
export class CodeError extends Error {
  readonly kind: CodeErrorKind;
  readonly line?: number;
  readonly column?: number;
  readonly logs: CodeLog[];
  readonly logsTruncated: boolean;

  constructor(
    message: string,
    kind: CodeErrorKind,
    where: { line?: number; column?: number } = {},
    logs: CodeLog[] = [],
    logsTruncated = false,
  ) {
    super(message);
    this.name = "CodeError";
    this.kind = kind;
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
    this.logs = logs;
    this.logsTruncated = logsTruncated;
  }
}
