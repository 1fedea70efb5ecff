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

/** What a suspended node waits for: shown on its `waiting` event and checkpoint (SPEC §4 ⁺). */
export interface SuspendInfo {
  /** `time`, `webhook`, `approval`, `key`, `execution` (a child), `items` (a loop's waiting items). */
  for: string;
  /** When its timer resumes it (ISO). */
  until?: string;
  /** The correlation key that resumes it. */
  key?: string;
  /** A child execution it waits on. */
  executionId?: string;
  /** Items of a loop that wait. */
  items?: number;
}

/**
 * Thrown by an executor that cannot finish until something outside the run happens (a `wait`
 * node's timer, webhook or approval, a child execution): the node is checkpointed `waiting`, holds
 * no slot, and the run ends `waiting` once nothing else can run. When the wait is resumed the run
 * is queued again and the node runs again: its executor finds the outcome where the resume stored
 * it (`ports.waits`), so suspending is idempotent.
 */
export class NodeSuspended extends Error {
  constructor(readonly info: SuspendInfo) {
    super(`waiting for ${info.for}`);
    this.name = "NodeSuspended";
  }
}
