import { setMaxListeners } from "node:events";
import { createRedactor } from "@/lib/security/redact";
import { safeErrorMessage } from "@/lib/security/safe-error";
import { bodiesOf, topLevelNodes } from "@/lib/workflow/bodies";
import { pickTrigger, reachableFrom } from "@/lib/workflow/graph";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { systemClock } from "./clock";
import { createEventChain } from "./event-chain";
import { Frontier } from "./frontier";
import { RunAbort } from "./node-step";
import type { EnginePorts, ExecutionEvent, LogEvent, NodeCheckpoint, NodeError } from "./ports";
import { type RunShared, ScopeRun } from "./scope-run";
import { createSlots } from "./slots";

export interface RunWorkflowOptions {
  definition: WorkflowDefinition;
  inputs: unknown;
  triggerId?: string;
  ports: EnginePorts;
  /** Aborted = cancel: running nodes are aborted and marked cancelled; outcome `cancelled`. */
  signal?: AbortSignal;
  /** Aborted = pause: no new node starts, running ones finish and checkpoint; outcome `paused`. */
  pauseSignal?: AbortSignal;
  /** Clock ms after which no new node starts; running ones finish; outcome `handed_off`. */
  deadline?: number;
  /** Clock ms at which still-running nodes are aborted (checkpointed `pending`: they rerun on resume). */
  hardDeadline?: number;
  /** Exposed as `secrets` to expressions and templates; redacted from everything stored or emitted. */
  secrets?: Record<string, string>;
  /** Overrides `settings.maxConcurrency`. */
  maxConcurrency?: number;
  /** Running time the execution already spent before this call (earlier claims); `settings.timeoutMs` counts it. */
  elapsedMs?: number;
}

export type RunStatus = "succeeded" | "failed" | "cancelled" | "paused" | "handed_off" | "waiting";

export interface RunOutcome {
  status: RunStatus;
  /** `outputs[nodeId]` of every settled `output` node. */
  outputs: Record<string, unknown>;
  error?: NodeError & { nodeId?: string };
  /** The latest checkpoint of every participating node that has one. */
  nodes: Record<string, NodeCheckpoint>;
}

const DEFAULT_MAX_CONCURRENCY = 16;

type StopKind = "failed" | "cancelled" | "paused" | "handed_off";
const stopRank = (kind: StopKind) => (kind === "failed" || kind === "cancelled" ? 2 : 1);

/**
 * Runs a workflow from one trigger and returns how it ended.
 *
 * Scheduling is event-driven: the `Frontier` counts each node's unsettled incoming edges and
 * starts a node the moment they have all settled with at least one live (or skips it, spreading
 * the skip). Starts go through a FIFO semaphore of `maxConcurrency` slots; a node retrying gives
 * its slot back while it waits.
 *
 * Stopping: cancel, an `onError: "fail"` failure and the execution timeout abort running nodes
 * (they end `cancelled`); pause and the soft deadline only stop new starts; the hard deadline
 * aborts running nodes but checkpoints them `pending` so a resume runs them again. Restored
 * checkpoints (succeeded, skipped, failed under continue/branch) settle without running.
 *
 * Durability: every state change is saved to the journal before its event is emitted (one
 * ordered event chain). A node with side effects is durable before anything downstream starts;
 * a pure node (`sideEffects: false`) lets its successors start while its save is in flight: a
 * crash before the save lands runs it again on resume, which is harmless.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<RunOutcome> {
  const { definition, ports } = options;
  const clock = ports.clock ?? systemClock;
  const redact = createRedactor(Object.values(options.secrets ?? {}));
  const at = () => new Date(clock.now()).toISOString();
  const events = createEventChain(ports.events);
  const checkpoints: Record<string, NodeCheckpoint> = {};
  const outputs: Record<string, unknown> = Object.create(null);

  const trigger = pickTrigger(definition, options.triggerId);
  if (!trigger) {
    const error = {
      code: "invalid_trigger",
      message:
        options.triggerId === undefined ? "the workflow has no trigger" : `no trigger "${options.triggerId}"`,
    };
    events.push({
      type: "execution",
      status: "failed",
      at: at(),
      progress: { finished: 0, total: 0 },
      error,
    });
    await events.flush();
    return { status: "failed", outputs, error, nodes: checkpoints };
  }

  const topLevel = topLevelNodes(definition);
  const frontier = new Frontier(
    { nodes: topLevel, edges: definition.edges },
    reachableFrom(definition, trigger.id),
  );
  const total = frontier.size;

  const [restored, pendingWaits] = await Promise.all([ports.journal.load(), ports.waits?.pendingKeys?.()]);
  const maxConcurrency =
    options.maxConcurrency ?? definition.settings?.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  const slots = createSlots(Math.max(1, maxConcurrency));
  const runAbort = new AbortController();
  setMaxListeners(0, runAbort.signal);
  const timers = new AbortController();
  let stop: { kind: StopKind; error?: NodeError & { nodeId?: string } } | undefined;

  const requestStop = (kind: StopKind, error?: NodeError & { nodeId?: string }) => {
    if (stop && stopRank(stop.kind) >= stopRank(kind)) return;
    stop = { kind, error: error && redact(error) };
    slots.closeNew();
    if (stopRank(kind) === 2 && !runAbort.signal.aborted) runAbort.abort(new RunAbort("cancel"));
  };
  const onCancel = () =>
    requestStop("cancelled", { code: "cancelled", message: "the execution was cancelled" });
  const onPause = () => requestStop("paused");
  const mayStart = (): boolean => {
    if (stop) return false;
    if (options.deadline !== undefined && clock.now() >= options.deadline) {
      requestStop("handed_off");
      return false;
    }
    return true;
  };
  const fatal = (err: unknown) =>
    requestStop("failed", {
      code: "journal",
      message: `could not record the execution: ${safeErrorMessage(err)}`,
    });
  events.onError(fatal);

  const shared: RunShared = {
    ports,
    clock,
    redact,
    events,
    at,
    inputs: options.inputs,
    secrets: options.secrets,
    maxConcurrency: Math.max(1, maxConcurrency),
    known: new Map(Object.entries(restored)),
    bodies: bodiesOf(definition),
    pendingWaits,
    mayStart,
    fatal,
    log(level, message, nodeId, iteration) {
      const event: LogEvent = { type: "log", at: at(), nodeId, level, message: redact(message) };
      if (iteration) event.iteration = iteration;
      events.push(event);
    },
  };
  const scope = new ScopeRun(shared, frontier, {
    nodes: Object.create(null),
    slots,
    signal: runAbort.signal,
    mayStart,
    halted: () => stop !== undefined && stopRank(stop.kind) === 2,
    onFailed: (node, error) => requestStop("failed", { ...error, nodeId: node.id }),
    onResult(node, module, cp) {
      if (module?.collectsOutput && cp.status === "succeeded") outputs[node.id] = redact(cp.output);
    },
    checkpoints,
  });

  // Start.
  options.signal?.addEventListener("abort", onCancel);
  options.pauseSignal?.addEventListener("abort", onPause);
  const startedAtMs = clock.now();
  const timeoutMs = definition.settings?.timeoutMs;
  if (timeoutMs !== undefined) {
    clock.sleep(Math.max(0, timeoutMs - (options.elapsedMs ?? 0)), timers.signal).then(
      () =>
        requestStop("failed", { code: "timeout", message: `the execution timed out after ${timeoutMs} ms` }),
      () => {},
    );
  }
  if (options.hardDeadline !== undefined) {
    clock.sleep(Math.max(0, options.hardDeadline - startedAtMs), timers.signal).then(
      () => {
        requestStop("handed_off");
        if (!runAbort.signal.aborted) runAbort.abort(new RunAbort("interrupt"));
      },
      () => {},
    );
  }
  let prefinished = 0;
  for (let i = 0; i < total; i++) if (scope.isRestorable(i)) prefinished++;
  events.push({ type: "execution", status: "running", at: at(), progress: { finished: prefinished, total } });
  if (options.signal?.aborted) onCancel();
  if (options.pauseSignal?.aborted) onPause();

  scope.start([frontier.indexOf.get(trigger.id)!]);
  await scope.done;
  // Skips and pure nodes' saves land in the background: their failures must count before the outcome.
  await events.flush();

  timers.abort();
  options.signal?.removeEventListener("abort", onCancel);
  options.pauseSignal?.removeEventListener("abort", onPause);

  const finished = scope.finished;
  let status: RunStatus;
  if (stop?.kind === "failed" || stop?.kind === "cancelled") status = stop.kind;
  else if (finished === total) status = "succeeded";
  else if (stop) status = stop.kind;
  else if (scope.waiting > 0) status = "waiting";
  else {
    status = "failed";
    stop = { kind: "failed", error: { code: "internal", message: "the execution stalled" } };
  }
  const final: ExecutionEvent = {
    type: "execution",
    status: status === "handed_off" ? "queued" : status,
    at: at(),
    progress: { finished, total },
  };
  if (status === "handed_off") final.handedOff = true;
  if (status === "succeeded") final.outputs = { ...outputs };
  const error = status === "failed" || status === "cancelled" ? stop?.error : undefined;
  if (error) final.error = error;
  events.push(final);
  await events.flush();
  const outcome: RunOutcome = { status, outputs: { ...outputs }, nodes: checkpoints };
  if (error) outcome.error = error;
  return outcome;
}
