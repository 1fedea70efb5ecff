import type { WorkflowNode } from "@/lib/workflow/schema";
import { ALL_BUT_ERROR, type Liveness } from "./frontier";
import type { AttemptHost, AttemptsOutcome } from "./node-attempts";
import type { Clock, EnginePorts, LogEvent, NodeCheckpoint, NodeError } from "./ports";

/** Why a running node was aborted from outside: it ends `cancelled`, or `pending` when interrupted. */
export class RunAbort {
  constructor(readonly kind: "cancel" | "interrupt") {}
}

/** Partial LLM text is emitted at most this often per node. */
export const PARTIAL_INTERVAL_MS = 100;

/** Per-node state the attempt host reads: which node, and when it last streamed partial text. */
export interface NodeStepState {
  node: WorkflowNode;
  lastPartial: number;
}

/** Where a node's side output goes: log lines and partial text (already redacted by the caller). */
export interface NodeStepSink<K extends NodeStepState> {
  ports: EnginePorts;
  clock: Clock;
  signal: AbortSignal;
  onAttemptStart(key: K, attempt: number): Promise<void>;
  log(key: K, level: LogEvent["level"], message: string): void;
  partial(key: K, at: string, text: string): void;
  /** After the retry log line, before the backoff wait (e.g. to give back a concurrency slot). */
  onRetry?(key: K): void;
  resume?(key: K): Promise<void>;
}

/**
 * The attempt host of whole runs and single-node runs alike: retries are logged the same way
 * ("attempt 2 of 3 after 200 ms: …") and partial text is throttled to one event per
 * `PARTIAL_INTERVAL_MS` per node.
 */
export function createAttemptHost<K extends NodeStepState>(sink: NodeStepSink<K>): AttemptHost<K> {
  return {
    ports: sink.ports,
    clock: sink.clock,
    signal: sink.signal,
    onAttemptStart: (key, attempt) => sink.onAttemptStart(key, attempt),
    onRetry(key, failed, max, delayMs, error) {
      sink.log(key, "warn", `attempt ${failed + 1} of ${max} after ${delayMs} ms: ${error.message}`);
      sink.onRetry?.(key);
    },
    resume: sink.resume ? (key) => sink.resume!(key) : undefined,
    log: (key, level, message) => sink.log(key, level, message),
    partial(key, text) {
      const now = sink.clock.now();
      if (now - key.lastPartial < PARTIAL_INTERVAL_MS) return;
      key.lastPartial = now;
      sink.partial(key, new Date(now).toISOString(), text);
    },
  };
}

/** When and with what a node ran. */
export interface NodeTiming {
  input: unknown;
  startedAt: string;
  startMs: number;
  endMs: number;
}

/**
 * The checkpoint a node's attempts leave, and which of its outgoing edges go live (undefined:
 * none, and a failure under `onError: "fail"` stops the run).
 * - succeeded: its output; the handle it took is kept when its type routes by handle;
 * - failed under `continue`/`branch`: output `{ error: { message } }`, live on all but `error`,
 *   or on `error` only;
 * - aborted: `cancelled`, or `pending` when interrupted by the hard deadline (it runs again on resume).
 */
export function finishNode(
  node: WorkflowNode,
  result: AttemptsOutcome,
  timing: NodeTiming,
  routesByHandle: boolean,
): { cp: NodeCheckpoint; live: Liveness | undefined } {
  const { input, startedAt } = timing;
  const finished = {
    startedAt,
    finishedAt: new Date(timing.endMs).toISOString(),
    durationMs: timing.endMs - timing.startMs,
  };
  if (result.status === "suspended") {
    // Not finished: no finishedAt, no live edges. Its output says what it waits for.
    const cp: NodeCheckpoint = {
      nodeId: node.id,
      status: "waiting",
      attempts: result.attempts,
      input,
      startedAt,
      output: result.info,
    };
    return { cp, live: undefined };
  }
  if (result.status === "aborted") {
    const interrupted = result.reason instanceof RunAbort && result.reason.kind === "interrupt";
    const cp: NodeCheckpoint = interrupted
      ? { nodeId: node.id, status: "pending", attempts: result.attempts, input }
      : {
          nodeId: node.id,
          status: "cancelled",
          attempts: result.attempts,
          input,
          ...finished,
          error: { code: "cancelled", message: "the node was cancelled" },
        };
    return { cp, live: undefined };
  }
  const cp: NodeCheckpoint = {
    nodeId: node.id,
    status: result.status,
    attempts: result.attempts,
    input,
    ...finished,
  };
  if (result.status === "succeeded") {
    cp.output = result.output;
    if (result.cached) cp.cached = true;
    if (routesByHandle) cp.handle = result.handle;
    return { cp, live: result.handle };
  }
  cp.error = result.error;
  const onError = node.onError ?? "fail";
  if (onError === "fail") return { cp, live: undefined };
  cp.output = errorOutput(result.error);
  return { cp, live: onError === "branch" ? "error" : ALL_BUT_ERROR };
}

/** The output of a node that failed under `onError: "continue"` or `"branch"` (SPEC §2). */
export const errorOutput = (error: NodeError) => ({ error: { message: error.message } });
