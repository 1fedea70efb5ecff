import type {
  EngineEvent,
  EventPayload,
  ExecutionError,
  ExecutionEvent,
  ExecutionProgress,
  LogEvent,
  LoopProgress,
  NodeError,
  NodeEvent,
  WaitingInfo,
} from "@/lib/contract/events";
import type { ExecutionLog } from "@/lib/contract/execution";
import { type ExecutionStatus, isFinishedNode, isTerminal, type NodeStatus } from "@/lib/contract/status";

/*
 * The one client reducer of an execution's live state, used by the builder's run view
 * (lib/editor/run-store.ts) and the execution page (components/execution/execution-state.ts).
 * A snapshot (`GET /api/executions/:id`, the SSE `snapshot`) is the truth; node, log, execution
 * and partial events patch it in order. Pure: every change returns new objects and keeps the
 * untouched ones, so a component selecting one node re-renders only when that node changes.
 */

/** What a client knows of one node: the fields of the execution detail, each optional. */
export interface NodeView {
  status: NodeStatus;
  attempts?: number;
  startedAt?: string | null;
  finishedAt?: string | null;
  durationMs?: number | null;
  output?: unknown;
  error?: NodeError | null;
  cached?: boolean;
  reused?: true;
  /** A `loop` node's progress over its items. */
  progress?: LoopProgress;
  /** What a suspended `wait` node waits for; cleared when it moves on. */
  waiting?: WaitingInfo;
}

/** A loop body node's state per iteration: iteration key (`"3"`, `"3.0"` nested) → view. */
export type IterationViews = Record<string, NodeView>;

/** What a client knows of an execution: the parts of the detail that events change. */
export interface ExecutionView<N extends NodeView = NodeView> {
  status?: ExecutionStatus | "starting";
  progress?: ExecutionProgress;
  outputs?: Record<string, unknown> | null;
  error?: ExecutionError | null;
  handedOff?: boolean;
  startedAt?: string | null;
  finishedAt?: string | null;
  durationMs?: number | null;
  nodes: Record<string, N>;
  logs: ExecutionLog[];
  /** Loop body nodes' per-iteration views, by node id; the node's own view stays the loop-wide one. */
  iterations?: Record<string, IterationViews>;
  /** LLM text streamed so far, by node id. */
  partial?: Record<string, string>;
}

/** How one client keeps its state. */
export interface ReduceOptions<N extends NodeView> {
  /** The view of a node no snapshot mentioned, before its first event. */
  blank: N;
  /** Log lines kept (the newest). */
  maxLogs: number;
  /** Recount `progress` from the node views after node events (the page); else only execution events set it. */
  recountProgress?: boolean;
  /** Fields set on every node view a node event changes (the builder marks views as not single-node). */
  stamp?: Partial<N>;
}

/** The key of an iteration path: `[3, 0]` → `"3.0"`. */
export const iterationKey = (path: readonly number[]): string => path.join(".");

function msBetween(from: string | null | undefined, to: string): number | null {
  if (!from) return null;
  const d = Date.parse(to) - Date.parse(from);
  return Number.isFinite(d) ? Math.max(0, d) : null;
}

/**
 * Applies one `node` event to a node's view. Times come from the events (server clocks): the first
 * `running` of a run of attempts sets `startedAt`, a finish sets `finishedAt` and, when the event
 * has none, `durationMs` from the start. A `pending` event (a retried execution) clears the times;
 * a `skipped` node never started, so it has no times at all.
 */
export function applyNodeEvent<N extends NodeView>(
  prev: N,
  event: EventPayload<NodeEvent> & { type?: "node" },
): N {
  const node: N = { ...prev, status: event.status };
  node.attempts = Math.max(prev.attempts ?? 0, event.attempt);
  if (event.progress !== undefined) node.progress = event.progress;
  if (event.status === "waiting") {
    if (event.waiting !== undefined) node.waiting = event.waiting;
  } else if (node.waiting !== undefined) {
    delete node.waiting;
  }
  if (event.status === "pending") {
    node.startedAt = null;
    node.finishedAt = null;
    node.durationMs = null;
    node.error = null;
    return node;
  }
  if (event.status === "running" || event.status === "waiting") {
    node.startedAt =
      prev.startedAt && (prev.status === "running" || prev.status === "waiting") ? prev.startedAt : event.at;
    node.finishedAt = null;
    node.durationMs = null;
    node.error = null;
    return node;
  }
  const skipped = event.status === "skipped";
  node.finishedAt = skipped ? null : event.at;
  node.durationMs = event.durationMs ?? (skipped ? null : msBetween(node.startedAt, event.at));
  if (!node.startedAt && !skipped && typeof node.durationMs === "number") {
    node.startedAt = new Date(Date.parse(event.at) - node.durationMs).toISOString();
  }
  if ("output" in event) node.output = event.output ?? null;
  if ("error" in event) node.error = event.error ?? null;
  if (event.cached !== undefined) node.cached = event.cached;
  if (event.reused) node.reused = true;
  return node;
}

/** Applies one `execution` event: status, progress, outputs, error and the execution's own times. */
export function applyExecutionEvent<S extends ExecutionView>(
  state: S,
  event: EventPayload<ExecutionEvent>,
): S {
  const next: S = { ...state, status: event.status, progress: event.progress ?? state.progress };
  if (event.outputs !== undefined) next.outputs = event.outputs;
  if (event.error !== undefined) next.error = event.error;
  if (event.handedOff !== undefined) next.handedOff = event.handedOff;
  if (event.status === "running" && !next.startedAt) next.startedAt = event.at;
  if (isTerminal(event.status)) {
    next.finishedAt = event.at;
    next.durationMs = msBetween(next.startedAt, event.at);
  } else {
    next.finishedAt = null;
    next.durationMs = null;
  }
  return next;
}

/** A log event as a log line (without `type`, `nodeId` only when set). */
export function logLineOf(event: EventPayload<LogEvent> | LogEvent): ExecutionLog {
  const line: ExecutionLog = { at: event.at, level: event.level, message: event.message };
  if (event.nodeId !== undefined) line.nodeId = event.nodeId;
  return line;
}

/** `logs` with `lines` appended, keeping the newest `max`. */
export function appendLogs(logs: ExecutionLog[], lines: ExecutionLog[], max: number): ExecutionLog[] {
  if (lines.length === 0) return logs;
  const all = logs.concat(lines);
  return all.length > max ? all.slice(-max) : all;
}

/** Nodes finished out of the nodes with a view. */
export function progressOf(nodes: Record<string, NodeView>): ExecutionProgress {
  let finished = 0;
  let total = 0;
  for (const id in nodes) {
    const node = nodes[id];
    if (!node) continue;
    total++;
    if (isFinishedNode(node.status)) finished++;
  }
  return { finished, total };
}

/**
 * Applies events in order with one new state (one render however many events). A node event with
 * an `iteration` changes that iteration's view only, never the body node's own view (which the
 * loop reports as a whole).
 */
export function reduceEvents<N extends NodeView, S extends ExecutionView<N>>(
  state: S,
  events: readonly EngineEvent[],
  options: ReduceOptions<N>,
): S {
  if (events.length === 0) return state;
  let next: S = state;
  let nodes: Record<string, N> | undefined;
  let iterations: Record<string, IterationViews> | undefined;
  let partial: Record<string, string> | undefined;
  let lines: ExecutionLog[] | undefined;
  const flushLogs = () => {
    if (!lines) return;
    next = { ...next, logs: appendLogs(next.logs, lines, options.maxLogs) };
    lines = undefined;
  };
  for (const event of events) {
    switch (event.type) {
      case "node": {
        if (event.iteration !== undefined) {
          iterations ??= { ...next.iterations };
          const perNode: IterationViews = { ...iterations[event.nodeId] };
          const key = iterationKey(event.iteration);
          const { iteration: _iteration, ...payload } = event;
          perNode[key] = applyNodeEvent(perNode[key] ?? { status: "pending" }, payload);
          iterations[event.nodeId] = perNode;
          break;
        }
        nodes ??= { ...next.nodes };
        const view = applyNodeEvent(nodes[event.nodeId] ?? options.blank, event);
        nodes[event.nodeId] = options.stamp ? Object.assign(view, options.stamp) : view;
        break;
      }
      case "log":
        lines ??= [];
        lines.push(logLineOf(event));
        break;
      case "partial":
        partial ??= { ...next.partial };
        partial[event.nodeId] = event.text;
        break;
      case "execution": {
        // Keep the order: what came before is in the state the execution event patches.
        flushLogs();
        if (nodes) next = { ...next, nodes };
        if (nodes && options.recountProgress) next = { ...next, progress: progressOf(nodes) };
        nodes = undefined;
        next = applyExecutionEvent(next, event);
        break;
      }
    }
  }
  flushLogs();
  if (nodes) {
    next = { ...next, nodes };
    if (options.recountProgress) next = { ...next, progress: progressOf(nodes) };
  }
  if (iterations) next = { ...next, iterations };
  if (partial) next = { ...next, partial };
  return next;
}
