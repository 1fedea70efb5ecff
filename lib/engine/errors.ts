import type { NodeError } from "./ports";

/** A failure with a machine-readable code (`timeout`, `expression`, `http_status`, …). */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

/** Describes any thrown value as a `NodeError`, keeping a string `code` when it has one. */
export function toNodeError(err: unknown): NodeError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? { message: err.message, code } : { message: err.message };
  }
  if (err && typeof err === "object" && "message" in err && typeof err.message === "string") {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? { message: err.message, code } : { message: err.message };
  }
  return { message: String(err) };
}

/**
 * Thrown by an executor whose work was stopped from outside before it could finish (a loop whose
 * items could not all start because the run is pausing or handing off): the node is checkpointed
 * `pending` and runs again on resume, reusing what its body already checkpointed.
 */
export class NodeInterrupted extends Error {
  constructor(message = "the node was interrupted") {
    super(message);
    this.name = "NodeInterrupted";
  }
}
