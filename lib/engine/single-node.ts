import { createRedactor } from "@/lib/security/redact";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { systemClock } from "./clock";
import { EngineError } from "./errors";
import type { ExpressionScope } from "./expressions";
import { runAttempts } from "./node-attempts";
import { createAttemptHost, finishNode } from "./node-step";
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
  /** A loop body node's item and index (`item`, `$item`, `index`, `$index`). */
  item?: unknown;
  index?: number;
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
  const scope: ExpressionScope = { inputs, nodes, input: options.input, secrets: options.secrets };
  if (options.index !== undefined) {
    scope.item = options.item;
    scope.index = options.index;
  }
  const bySource = Object.entries(options.nodes ?? {});
  const signal = options.signal ?? new AbortController().signal;
  const pending: Promise<void>[] = [];
  const startMs = clock.now();
  const startedAt = new Date(startMs).toISOString();

  const host = createAttemptHost({
    ports,
    clock,
    signal,
    onAttemptStart: (_, attempt) =>
      emit({ type: "node", nodeId: node.id, status: "running", attempt, at: at() }),
    log(_, level, message) {
      pending.push(emit({ type: "log", at: at(), nodeId: node.id, level, message: redact(message) }));
    },
    partial(_, when, text) {
      pending.push(emit({ type: "partial", nodeId: node.id, at: when, text: redact(text) }));
    },
  });
  const result = await runAttempts(
    host,
    { node, lastPartial: Number.NEGATIVE_INFINITY },
    {
      node,
      key: node.id,
      input: options.input,
      inputsBySource: bySource,
      scope,
    },
  );
  await Promise.all(pending);
  const endMs = clock.now();
  const { cp } = finishNode(node, result, { input: options.input, startedAt, startMs, endMs }, false);
  const safe = redact(cp);
  const succeeded = safe.status === "succeeded";
  const error: NodeError | undefined = succeeded
    ? undefined
    : safe.status === "waiting"
      ? {
          code: "unavailable",
          message: `"${node.id}" waits (${result.status === "suspended" ? result.info.for : "resume"}): a node can only wait in a whole run`,
        }
      : (safe.error ?? { code: "cancelled", message: "the node was cancelled" });
  const out: SingleNodeResult = {
    status: succeeded ? "succeeded" : "failed",
    output: safe.status === "waiting" ? undefined : safe.output,
    durationMs: endMs - startMs,
    cached: succeeded && safe.cached === true,
    attempts: result.attempts,
  };
  if (error) out.error = error;
  const event: NodeEvent = {
    type: "node",
    nodeId: node.id,
    status: out.status,
    attempt: result.attempts,
    at: at(),
    durationMs: out.durationMs,
  };
  if (out.output !== undefined) event.output = out.output;
  if (error) event.error = error;
  if (out.cached) event.cached = true;
  await emit(event);
  return out;
}
