import { setMaxListeners } from "node:events";
import { createRedactor } from "@/lib/security/redact";
import { safeErrorMessage } from "@/lib/security/safe-error";
import { pickTrigger, reachableFrom, resolveEdges } from "@/lib/workflow/graph";
import type { WorkflowDefinition, WorkflowNode } from "@/lib/workflow/schema";
import { systemClock } from "./clock";
import { toNodeError } from "./errors";
import type { TypedNode } from "./executor";
import { isTruthy } from "./executors/condition";
import { type ExpressionScope, evaluateExpression } from "./expressions";
import { type AttemptHost, runAttempts } from "./node-attempts";
import type {
  EngineEvent,
  EnginePorts,
  EventSink,
  ExecutionEvent,
  LogEvent,
  NodeCheckpoint,
  NodeError,
  NodeEvent,
} from "./ports";
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

export type RunStatus = "succeeded" | "failed" | "cancelled" | "paused" | "handed_off";

export interface RunOutcome {
  status: RunStatus;
  /** `outputs[nodeId]` of every settled `output` node. */
  outputs: Record<string, unknown>;
  error?: NodeError & { nodeId?: string };
  /** The latest checkpoint of every participating node that has one. */
  nodes: Record<string, NodeCheckpoint>;
}

const DEFAULT_MAX_CONCURRENCY = 16;
const PARTIAL_INTERVAL_MS = 100;

/** Why a running node was aborted from outside: it ends `cancelled`, or `pending` when interrupted. */
class RunAbort {
  constructor(readonly kind: "cancel" | "interrupt") {}
}

type StopKind = "failed" | "cancelled" | "paused" | "handed_off";
const stopRank = (kind: StopKind) => (kind === "failed" || kind === "cancelled" ? 2 : 1);

interface InEdge {
  index: number;
  source: number;
}
interface OutEdge {
  index: number;
  target: number;
  handle: string;
}
/** Which outgoing edges of a settled node are live: none, those of one handle, or all but `error`. */
type Liveness = null | string | typeof ALL_BUT_ERROR;
const ALL_BUT_ERROR = Symbol("all-but-error");
const NONE_LIVE: Liveness = null;
const isLive = (live: Liveness, handle: string) =>
  live === null ? false : live === ALL_BUT_ERROR ? handle !== "error" : handle === live;

/** Per-node state of a node being run. */
interface NodeRun {
  i: number;
  node: WorkflowNode;
  input: unknown;
  startedAt: string;
  holding: boolean;
  lastPartial: number;
}

/**
 * Runs a workflow from one trigger and returns how it ended.
 *
 * Scheduling is event-driven. Each participating node counts its unsettled incoming edges; when a
 * node settles, each outgoing edge becomes live (its handle was taken) or skipped, and a target
 * whose count reaches zero either starts (at least one live edge) or is skipped itself, which
 * spreads the skip. Bookkeeping is O(edges) overall. Starts go through a FIFO semaphore of
 * `maxConcurrency` slots; a node retrying gives its slot back while it waits.
 *
 * Stopping: cancel, an `onError: "fail"` failure and the execution timeout abort running nodes
 * (they end `cancelled`); pause and the soft deadline only stop new starts; the hard deadline
 * aborts running nodes but checkpoints them `pending` so a resume runs them again. Restored
 * checkpoints (succeeded, skipped, failed under continue/branch) settle without running.
 *
 * Each state change is saved to the journal (awaited) before its event is queued; events are
 * emitted strictly in order through one chain.
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

  // Graph of the participating nodes, by index.
  const participating = reachableFrom(definition, trigger.id);
  const nodes: WorkflowNode[] = [];
  const indexOf = new Map<string, number>();
  for (const node of definition.nodes) {
    if (participating.has(node.id) && !indexOf.has(node.id)) {
      indexOf.set(node.id, nodes.length);
      nodes.push(node);
    }
  }
  const total = nodes.length;
  const ins: InEdge[][] = nodes.map(() => []);
  const outs: OutEdge[][] = nodes.map(() => []);
  const pendingIn = new Int32Array(total);
  const liveIn = new Int32Array(total);
  const edges = resolveEdges(definition);
  const edgeLive = new Uint8Array(edges.length);
  /** `seenBy[source] === target + 1` while collecting a target's inputs: one entry per source. */
  const seenBy = new Int32Array(total);
  for (const e of edges) {
    const s = indexOf.get(e.source);
    const t = indexOf.get(e.target);
    if (s === undefined || t === undefined) continue;
    outs[s]!.push({ index: e.index, target: t, handle: e.handle });
    ins[t]!.push({ index: e.index, source: s });
    pendingIn[t]!++;
  }

  const restored = await ports.journal.load();
  const restorable = (i: number): NodeCheckpoint | undefined => {
    const cp = restored[nodes[i]!.id];
    if (!cp) return undefined;
    if (cp.status === "succeeded" || cp.status === "skipped") return cp;
    if (cp.status === "failed" && (nodes[i]!.onError === "continue" || nodes[i]!.onError === "branch"))
      return cp;
    return undefined;
  };

  const nodeOutputs: Record<string, unknown> = Object.create(null);
  const scopeOf = (input: unknown): ExpressionScope =>
    options.secrets
      ? { inputs: options.inputs, nodes: nodeOutputs, input, secrets: options.secrets }
      : { inputs: options.inputs, nodes: nodeOutputs, input };
  const maxConcurrency =
    options.maxConcurrency ?? definition.settings?.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  const slots = createSlots(Math.max(1, maxConcurrency));
  const runAbort = new AbortController();
  setMaxListeners(0, runAbort.signal);
  const timers = new AbortController();
  let finished = 0;
  let active = 0;
  let stop: { kind: StopKind; error?: NodeError & { nodeId?: string } } | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

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

  const record = (cp: NodeCheckpoint) => {
    const safe = redact(cp);
    checkpoints[cp.nodeId] = safe;
    return ports.journal.save(safe);
  };
  const log = (level: LogEvent["level"], message: string, nodeId?: string) =>
    events.push({ type: "log", at: at(), nodeId, level, message: redact(message) });
  const fatal = (err: unknown) =>
    requestStop("failed", {
      code: "journal",
      message: `could not record the execution: ${safeErrorMessage(err)}`,
    });
  events.onError(fatal);

  const settleEffects = (i: number, cp: NodeCheckpoint) => {
    const node = nodes[i]!;
    finished++;
    if (cp.status === "succeeded" || cp.status === "failed") {
      nodeOutputs[node.id] = cp.output;
      if (node.type === "output" && cp.status === "succeeded") outputs[node.id] = redact(cp.output);
    }
  };

  /** Settles node `start` and everything that follows from it synchronously (skips, restores). */
  const propagate = (start: number, live: Liveness) => {
    const stack: Array<[number, Liveness]> = [[start, live]];
    while (stack.length > 0) {
      const [i, isLiveSpec] = stack.pop()!;
      if (stop && stopRank(stop.kind) === 2) return;
      for (const e of outs[i]!) {
        const t = e.target;
        if (isLive(isLiveSpec, e.handle)) {
          edgeLive[e.index] = 1;
          liveIn[t]!++;
        }
        if (--pendingIn[t]! !== 0) continue;
        if (liveIn[t]! > 0) {
          const next = becomeReady(t);
          if (next !== undefined) stack.push([t, next]);
        } else {
          stack.push([t, NONE_LIVE]);
          skip(t);
        }
      }
    }
  };

  const skip = (i: number) => {
    const node = nodes[i]!;
    const prior = restored[node.id];
    finished++;
    if (prior?.status === "skipped") {
      checkpoints[node.id] = prior;
      return;
    }
    const cp: NodeCheckpoint = { nodeId: node.id, status: "skipped", attempts: 0, finishedAt: at() };
    const saved = record(cp);
    saved.catch(() => {}); // awaited (and reported) by the event queue
    events.push({ type: "node", nodeId: node.id, status: "skipped", attempt: 0, at: cp.finishedAt! }, saved);
  };

  /** Restores or starts a node whose inputs have settled; returns its liveness when it settled at once. */
  const becomeReady = (i: number): Liveness | undefined => {
    const cp = restorable(i);
    if (cp) {
      const node = nodes[i]!;
      checkpoints[node.id] = cp;
      settleEffects(i, cp);
      if (cp.status === "skipped") return NONE_LIVE;
      if (cp.status === "failed") return node.onError === "branch" ? "error" : ALL_BUT_ERROR;
      if (cp.handle !== undefined) return cp.handle;
      if (node.type !== "condition") return "out";
      active++;
      void restoreCondition(i, cp);
      return undefined;
    }
    if (stop) return undefined;
    active++;
    void runNode(i);
    return undefined;
  };

  const taskDone = () => {
    if (--active === 0) resolveDone();
  };

  /** A condition checkpoint saved without its handle: the expression is evaluated again to route. */
  const restoreCondition = async (i: number, cp: NodeCheckpoint) => {
    const node = nodes[i]! as unknown as TypedNode<"condition">;
    try {
      const value = await evaluateExpression(node.config.expression, scopeFor(i).scope, {
        nodeType: node.type,
        nodeId: node.id,
        field: "config.expression",
      });
      const handle = isTruthy(value) ? "true" : "false";
      checkpoints[node.id] = { ...cp, handle };
      propagate(i, handle);
    } catch (err) {
      requestStop("failed", { ...toNodeError(err), nodeId: node.id });
    } finally {
      taskDone();
    }
  };

  const scopeFor = (i: number): { scope: ExpressionScope; bySource: Array<readonly [string, unknown]> } => {
    const node = nodes[i]!;
    if (node.type === "trigger") {
      return { scope: scopeOf(options.inputs), bySource: [] };
    }
    const bySource: Array<readonly [string, unknown]> = [];
    const stamp = i + 1;
    for (const e of ins[i]!) {
      if (edgeLive[e.index] !== 1 || seenBy[e.source] === stamp) continue;
      seenBy[e.source] = stamp;
      const id = nodes[e.source]!.id;
      bySource.push([id, nodeOutputs[id]] as const);
    }
    let input: unknown;
    if (bySource.length === 1) input = bySource[0]![1];
    else {
      const keyed: Record<string, unknown> = Object.create(null);
      for (const [id, value] of bySource) keyed[id] = value;
      input = keyed;
    }
    return { scope: scopeOf(input), bySource };
  };

  const host: AttemptHost<NodeRun> = {
    ports,
    clock,
    signal: runAbort.signal,
    async onAttemptStart(run, attempt) {
      const id = run.node.id;
      await record({
        nodeId: id,
        status: "running",
        attempts: attempt,
        input: run.input,
        startedAt: run.startedAt,
      });
      events.push({
        type: "node",
        nodeId: id,
        status: "running",
        attempt,
        at: attempt === 1 ? run.startedAt : at(),
      });
    },
    onRetry(run, failed, max, delayMs, error) {
      log("warn", `attempt ${failed + 1} of ${max} after ${delayMs} ms: ${error.message}`, run.node.id);
      slots.release();
      run.holding = false;
    },
    async resume(run) {
      const got = slots.acquire(false);
      run.holding = got === true ? true : await got;
    },
    log(run, level, message) {
      log(level, message, run.node.id);
    },
    partial(run, text) {
      const now = clock.now();
      if (now - run.lastPartial < PARTIAL_INTERVAL_MS) return;
      run.lastPartial = now;
      events.push({
        type: "partial",
        nodeId: run.node.id,
        at: new Date(now).toISOString(),
        text: redact(text),
      });
    },
  };

  const runNode = async (i: number) => {
    const node = nodes[i]!;
    const run: NodeRun = {
      i,
      node,
      input: undefined,
      startedAt: "",
      holding: false,
      lastPartial: Number.NEGATIVE_INFINITY,
    };
    try {
      const got = slots.acquire(true);
      run.holding = got === true ? true : await got;
      if (!run.holding) return;
      if (!mayStart()) return;
      const { scope, bySource } = scopeFor(i);
      const firstStart = clock.now();
      run.input = scope.input;
      run.startedAt = new Date(firstStart).toISOString();
      const result = await runAttempts(host, run, {
        node,
        input: scope.input,
        inputsBySource: bySource,
        scope,
      });
      const end = clock.now();
      let cp: NodeCheckpoint;
      let live: Liveness | undefined;
      if (result.status === "aborted") {
        const interrupted = result.reason instanceof RunAbort && result.reason.kind === "interrupt";
        cp = interrupted
          ? { nodeId: node.id, status: "pending", attempts: result.attempts, input: scope.input }
          : {
              nodeId: node.id,
              status: "cancelled",
              attempts: result.attempts,
              input: scope.input,
              startedAt: run.startedAt,
              finishedAt: new Date(end).toISOString(),
              durationMs: end - firstStart,
              error: { code: "cancelled", message: "the node was cancelled" },
            };
      } else {
        cp = {
          nodeId: node.id,
          status: result.status,
          attempts: result.attempts,
          input: scope.input,
          startedAt: run.startedAt,
          finishedAt: new Date(end).toISOString(),
          durationMs: end - firstStart,
        };
        if (result.status === "succeeded") {
          cp.output = result.output;
          if (result.cached) cp.cached = true;
          if (node.type === "condition") cp.handle = result.handle;
          live = result.handle;
        } else {
          cp.error = result.error;
          const onError = node.onError ?? "fail";
          if (onError !== "fail") {
            cp.output = { error: { message: result.error.message } };
            live = onError === "branch" ? "error" : ALL_BUT_ERROR;
          }
        }
      }
      await record(cp);
      const saved = checkpoints[node.id]!;
      const event: NodeEvent = {
        type: "node",
        nodeId: node.id,
        status: cp.status,
        attempt: cp.attempts,
        at: at(),
      };
      if (cp.durationMs !== undefined) event.durationMs = cp.durationMs;
      if (saved.output !== undefined) event.output = saved.output;
      if (saved.error) event.error = saved.error;
      if (cp.cached) event.cached = true;
      events.push(event);
      if (run.holding) {
        slots.release();
        run.holding = false;
      }
      if (cp.status === "succeeded" || cp.status === "failed") settleEffects(i, cp);
      if (live !== undefined) propagate(i, live);
      else if (cp.status === "failed") requestStop("failed", { ...saved.error!, nodeId: node.id });
    } catch (err) {
      fatal(err);
    } finally {
      if (run.holding) slots.release();
      taskDone();
    }
  };

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
  for (let i = 0; i < total; i++) if (restorable(i)) prefinished++;
  events.push({ type: "execution", status: "running", at: at(), progress: { finished: prefinished, total } });
  if (options.signal?.aborted) onCancel();
  if (options.pauseSignal?.aborted) onPause();

  active++;
  const t = indexOf.get(trigger.id)!;
  const live = becomeReady(t);
  if (live !== undefined) propagate(t, live);
  taskDone();
  await done;
  // Skips are saved in the background: their failures must count before the outcome is decided.
  await events.flush();

  timers.abort();
  options.signal?.removeEventListener("abort", onCancel);
  options.pauseSignal?.removeEventListener("abort", onPause);

  let status: RunStatus;
  if (stop?.kind === "failed" || stop?.kind === "cancelled") status = stop.kind;
  else if (finished === total) status = "succeeded";
  else if (stop) status = stop.kind;
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

/**
 * Emits events one after another, each after the save it depends on. A queue drained by one loop
 * (not a promise chain per event); a sink that returns nothing is not awaited.
 */
function createEventChain(sink: EventSink) {
  const queue: Array<{ event: EngineEvent; after?: Promise<unknown> }> = [];
  let head = 0;
  let draining: Promise<void> = Promise.resolve();
  let running = false;
  let onError: (err: unknown) => void = () => {};
  const drain = async () => {
    while (head < queue.length) {
      const item = queue[head]!;
      queue[head++] = undefined as unknown as (typeof queue)[number];
      try {
        if (item.after) await item.after;
        const pending = sink.emit(item.event);
        if (pending) await pending;
      } catch (err) {
        onError(err);
      }
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
    }
    running = false;
  };
  return {
    push(event: EngineEvent, after?: Promise<unknown>) {
      queue.push(after ? { event, after } : { event });
      if (!running) {
        running = true;
        draining = drain();
      }
    },
    onError(handler: (err: unknown) => void) {
      onError = handler;
    },
    async flush() {
      while (running) await draining;
    },
  };
}
