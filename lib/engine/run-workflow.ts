import { setMaxListeners } from "node:events";
import { nodeModuleOf } from "@/lib/nodes/registry";
import { createRedactor } from "@/lib/security/redact";
import { safeErrorMessage } from "@/lib/security/safe-error";
import { pickTrigger, reachableFrom } from "@/lib/workflow/graph";
import type { WorkflowDefinition, WorkflowNode } from "@/lib/workflow/schema";
import { systemClock } from "./clock";
import { createEventChain } from "./event-chain";
import type { ExpressionScope } from "./expressions";
import { ALL_BUT_ERROR, Frontier, type FrontierHost, inputOf, type Liveness, NONE_LIVE } from "./frontier";
import { runAttempts } from "./node-attempts";
import { createAttemptHost, finishNode, RunAbort } from "./node-step";
import type { EnginePorts, ExecutionEvent, LogEvent, NodeCheckpoint, NodeError, NodeEvent } from "./ports";
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

type StopKind = "failed" | "cancelled" | "paused" | "handed_off";
const stopRank = (kind: StopKind) => (kind === "failed" || kind === "cancelled" ? 2 : 1);

/** Per-node state of a node being run. */
interface NodeRun {
  i: number;
  node: WorkflowNode;
  input: unknown;
  startedAt: string;
  holding: boolean;
  lastPartial: number;
  /** The node's latest checkpoint save: the next one is issued after it, so saves never reorder. */
  saved: Promise<void>;
}

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

  const frontier = new Frontier(definition, reachableFrom(definition, trigger.id));
  const { nodes } = frontier;
  const total = frontier.size;
  const modules = nodes.map((n) => nodeModuleOf(n.type));

  const restored = await ports.journal.load();
  /** A checkpoint that settles its node without running it, if there is one. */
  const restorable = (i: number): NodeCheckpoint | undefined => {
    const node = nodes[i]!;
    const cp = restored[node.id];
    if (!cp) return undefined;
    if (cp.status === "skipped") return cp;
    // A node that routes by handle is run again (it is pure) when its checkpoint lost the handle.
    if (cp.status === "succeeded")
      return modules[i]?.routesByHandle && cp.handle === undefined ? undefined : cp;
    if (cp.status === "failed" && (node.onError === "continue" || node.onError === "branch")) return cp;
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
      if (modules[i]?.collectsOutput && cp.status === "succeeded") outputs[node.id] = redact(cp.output);
    }
  };

  const taskDone = () => {
    if (--active === 0) resolveDone();
  };

  const frontierHost: FrontierHost = {
    halted: () => stop !== undefined && stopRank(stop.kind) === 2,
    ready(i) {
      const cp = restorable(i);
      if (cp) {
        const node = nodes[i]!;
        checkpoints[node.id] = cp;
        settleEffects(i, cp);
        if (cp.status === "skipped") return NONE_LIVE;
        if (cp.status === "failed") return node.onError === "branch" ? "error" : ALL_BUT_ERROR;
        return cp.handle ?? "out";
      }
      if (stop) return undefined;
      active++;
      void runNode(i);
      return undefined;
    },
    skipped(i) {
      const node = nodes[i]!;
      const prior = restored[node.id];
      finished++;
      if (prior?.status === "skipped") {
        checkpoints[node.id] = prior;
        return;
      }
      const cp: NodeCheckpoint = { nodeId: node.id, status: "skipped", attempts: 0, finishedAt: at() };
      const saved = record(cp);
      saved.catch(() => {}); // awaited (and reported) by the event chain
      events.push(
        { type: "node", nodeId: node.id, status: "skipped", attempt: 0, at: cp.finishedAt! },
        saved,
      );
    },
  };
  const settle = (i: number, live: Liveness) => frontier.settle(i, live, frontierHost);

  const inputsOf = (i: number): { scope: ExpressionScope; bySource: Array<readonly [string, unknown]> } => {
    if (modules[i]?.startsRun) return { scope: scopeOf(options.inputs), bySource: [] };
    const bySource = frontier.liveInputs(i, nodeOutputs);
    return { scope: scopeOf(inputOf(bySource)), bySource };
  };

  /** Saves `cp` after the node's previous save; awaited only when the node has side effects. */
  const checkpoint = (run: NodeRun, cp: NodeCheckpoint): Promise<void> => {
    const safe = redact(cp);
    checkpoints[cp.nodeId] = safe;
    const saved = run.saved.then(() => ports.journal.save(safe));
    saved.catch(() => {}); // reported by the event chain, which awaits it
    run.saved = saved;
    return saved;
  };

  const host = createAttemptHost<NodeRun>({
    ports,
    clock,
    signal: runAbort.signal,
    async onAttemptStart(run, attempt) {
      const saved = checkpoint(run, {
        nodeId: run.node.id,
        status: "running",
        attempts: attempt,
        input: run.input,
        startedAt: run.startedAt,
      });
      events.push(
        {
          type: "node",
          nodeId: run.node.id,
          status: "running",
          attempt,
          at: attempt === 1 ? run.startedAt : at(),
        },
        saved,
      );
      if (modules[run.i]?.sideEffects !== false) await saved;
    },
    log: (run, level, message) => log(level, message, run.node.id),
    partial(run, when, text) {
      events.push({ type: "partial", nodeId: run.node.id, at: when, text: redact(text) });
    },
    onRetry(run) {
      slots.release();
      run.holding = false;
    },
    async resume(run) {
      const got = slots.acquire(false);
      run.holding = got === true ? true : await got;
    },
  });

  const runNode = async (i: number) => {
    const node = nodes[i]!;
    const module = modules[i];
    const run: NodeRun = {
      i,
      node,
      input: undefined,
      startedAt: "",
      holding: false,
      lastPartial: Number.NEGATIVE_INFINITY,
      saved: Promise.resolve(),
    };
    try {
      const got = slots.acquire(true);
      run.holding = got === true ? true : await got;
      if (!run.holding) return;
      if (!mayStart()) return;
      const { scope, bySource } = inputsOf(i);
      const startMs = clock.now();
      run.input = scope.input;
      run.startedAt = new Date(startMs).toISOString();
      const result = await runAttempts(host, run, {
        node,
        input: scope.input,
        inputsBySource: bySource,
        scope,
      });
      const { cp, live } = finishNode(
        node,
        result,
        { input: scope.input, startedAt: run.startedAt, startMs, endMs: clock.now() },
        module?.routesByHandle === true,
      );
      const saved = checkpoint(run, cp);
      if (module?.sideEffects !== false) await saved;
      const stored = checkpoints[node.id]!;
      const event: NodeEvent = {
        type: "node",
        nodeId: node.id,
        status: cp.status,
        attempt: cp.attempts,
        at: at(),
      };
      if (cp.durationMs !== undefined) event.durationMs = cp.durationMs;
      if (stored.output !== undefined) event.output = stored.output;
      if (stored.error) event.error = stored.error;
      if (cp.cached) event.cached = true;
      events.push(event, saved);
      if (run.holding) {
        slots.release();
        run.holding = false;
      }
      if (cp.status === "succeeded" || cp.status === "failed") settleEffects(i, cp);
      if (live !== undefined) settle(i, live);
      else if (cp.status === "failed") requestStop("failed", { ...stored.error!, nodeId: node.id });
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
  const t = frontier.indexOf.get(trigger.id)!;
  const live = frontierHost.ready(t);
  if (live !== undefined) settle(t, live);
  taskDone();
  await done;
  // Skips and pure nodes' saves land in the background: their failures must count before the outcome.
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
