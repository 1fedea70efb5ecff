import { createRedactor } from "@/lib/security/redact";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { systemClock } from "./clock";
import { EngineError } from "./errors";
import { runAttempts } from "./node-attempts";
import type { EnginePorts, NodeError, NodeEvent } from "./ports";

export interface RunSingleNodeOptions {
  definition: WorkflowDefinition;
  nodeId: string;
  /** The node's `input`. */
  input: unknown;
  /** The run's `inputs` (default: `input`). */
  inputs?: unknown;
  /** Upstream outputs by node id, exposed as `nodes`. */
  nodes?: Record<string, unknown>;
  ports: EnginePorts;
  signal?: AbortSignal;
  secrets?: Record<string, string>;
}

export interface SingleNodeResult {
  status: "succeeded" | "failed";
  output: unknown;
  error?: NodeError;
  durationMs: number;
  cached: boolean;
  attempts: number;
}

/**
 * Runs one node's executor with its retry policy and timeout, emitting its node (and log, partial)
 * events. No checkpoints: the caller records the result. A cancelled run ends `failed` with code
 * `cancelled`.
 */
export async function runSingleNode(options: RunSingleNodeOptions): Promise<SingleNodeResult> {
  const { ports } = options;
  const clock = ports.clock ?? systemClock;
  const redact = createRedactor(Object.values(options.secrets ?? {}));
  const node = options.definition.nodes.find((n) => n.id === options.nodeId);
  if (!node) throw new EngineError("not_found", `no node "${options.nodeId}"`);
  const at = () => new Date(clock.now()).toISOString();
  const emit = (event: Parameters<EnginePorts["events"]["emit"]>[0]): Promise<void> => {
    const done = Promise.resolve().then(() => ports.events.emit(event));
    done.catch(() => {}); // awaited (and rethrown) below
    return done;
  };
  const nodes: Record<string, unknown> = Object.assign(Object.create(null), options.nodes ?? {});
  const inputs = options.inputs === undefined ? options.input : options.inputs;
  const scope = { inputs, nodes, input: options.input, secrets: options.secrets };
  const bySource = Object.entries(options.nodes ?? {});
  const signal = options.signal ?? new AbortController().signal;
  const pending: Promise<void>[] = [];
  let lastPartial = Number.NEGATIVE_INFINITY;
  const start = clock.now();

  const result = await runAttempts<null>(
    {
      ports,
      clock,
      signal,
      onAttemptStart: (_, attempt) =>
        emit({ type: "node", nodeId: node.id, status: "running", attempt, at: at() }),
      onRetry: (_, failed, max, delayMs, error) => {
        pending.push(
          emit({
            type: "log",
            at: at(),
            nodeId: node.id,
            level: "warn",
            message: redact(`attempt ${failed + 1} of ${max} after ${delayMs} ms: ${error.message}`),
          }),
        );
      },
      log: (_, level, message) => {
        pending.push(emit({ type: "log", at: at(), nodeId: node.id, level, message: redact(message) }));
      },
      partial: (_, text) => {
        const now = clock.now();
        if (now - lastPartial < 100) return;
        lastPartial = now;
        pending.push(emit({ type: "partial", nodeId: node.id, at: at(), text: redact(text) }));
      },
    },
    null,
    { node, input: options.input, inputsBySource: bySource, scope },
  );
  await Promise.all(pending);
  const durationMs = clock.now() - start;
  const event: NodeEvent = {
    type: "node",
    nodeId: node.id,
    status: "failed",
    attempt: result.attempts,
    at: at(),
    durationMs,
  };
  let out: SingleNodeResult;
  if (result.status === "succeeded") {
    out = {
      status: "succeeded",
      output: redact(result.output),
      durationMs,
      cached: result.cached,
      attempts: result.attempts,
    };
    event.status = "succeeded";
    event.output = out.output;
    if (result.cached) event.cached = true;
  } else {
    const error: NodeError =
      result.status === "failed"
        ? redact(result.error)
        : { code: "cancelled", message: "the node was cancelled" };
    out = {
      status: "failed",
      output:
        node.onError === "continue" || node.onError === "branch"
          ? { error: { message: error.message } }
          : undefined,
      error,
      durationMs,
      cached: false,
      attempts: result.attempts,
    };
    event.error = error;
    if (out.output !== undefined) event.output = out.output;
  }
  await emit(event);
  return out;
}
