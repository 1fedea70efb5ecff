import type { EngineEvent, ExecutionEvent, LogEvent, NodeEvent } from "@/lib/engine/ports";
import type { ExecutionDetail, ExecutionNodeDetail } from "@/lib/runs/get-execution";
import { isTerminalExecutionStatus } from "@/lib/workflow/status";

/**
 * The execution page's state: the `GET /api/executions/:id` snapshot, kept current by SSE events.
 * A snapshot replaces everything (it is the truth after a reconnect); node, log and execution
 * events patch it. Events carry ISO times, so start/finish come from the server, never the browser.
 */
export type ExecutionAction =
  | { type: "snapshot"; detail: ExecutionDetail }
  | { type: "event"; event: EngineEvent }
  /** Events that arrived within one animation frame, applied in order in one render. */
  | { type: "events"; events: EngineEvent[] }
  | { type: "status"; status: ExecutionDetail["status"] };

const FINISHED: ReadonlySet<string> = new Set(["succeeded", "failed", "skipped", "cancelled"]);
const MAX_LOGS = 1000;

const emptyNode: ExecutionNodeDetail = {
  status: "pending",
  attempts: 0,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  output: null,
  error: null,
  cached: false,
  input: null,
};

function msBetween(from: string | null, to: string): number | null {
  if (!from) return null;
  const d = Date.parse(to) - Date.parse(from);
  return Number.isFinite(d) ? Math.max(0, d) : null;
}

/** Applies one `node` event to a node's detail. */
export function applyNodeEvent(prev: ExecutionNodeDetail | undefined, event: NodeEvent): ExecutionNodeDetail {
  const node: ExecutionNodeDetail = { ...(prev ?? emptyNode), status: event.status };
  node.attempts = Math.max(node.attempts, event.attempt);
  if (event.status === "pending") {
    return { ...node, startedAt: null, finishedAt: null, durationMs: null, error: null };
  }
  if (event.status === "running") {
    node.startedAt = node.startedAt && prev?.status === "running" ? node.startedAt : event.at;
    node.finishedAt = null;
    node.durationMs = null;
    node.error = null;
    return node;
  }
  // A finished node: skipped nodes never started, so they have no bar.
  node.finishedAt = event.status === "skipped" ? null : event.at;
  node.durationMs =
    event.durationMs ?? (event.status === "skipped" ? null : msBetween(node.startedAt, event.at));
  if (node.startedAt === null && node.durationMs !== null && event.status !== "skipped") {
    node.startedAt = new Date(Date.parse(event.at) - node.durationMs).toISOString();
  }
  if ("output" in event) node.output = event.output ?? null;
  if ("error" in event) node.error = event.error ?? null;
  if (event.cached !== undefined) node.cached = event.cached;
  if (event.reused) node.reused = true;
  return node;
}

function progressOf(nodes: Record<string, ExecutionNodeDetail>): ExecutionDetail["progress"] {
  const all = Object.values(nodes);
  return { finished: all.filter((n) => FINISHED.has(n.status)).length, total: all.length };
}

function applyExecutionEvent(state: ExecutionDetail, event: ExecutionEvent): ExecutionDetail {
  const next: ExecutionDetail = {
    ...state,
    status: event.status,
    progress: event.progress ?? state.progress,
  };
  if (event.outputs !== undefined) next.outputs = event.outputs;
  if (event.error !== undefined) next.error = event.error;
  if (event.handedOff !== undefined) next.handedOff = event.handedOff;
  if (event.status === "running" && !next.startedAt) next.startedAt = event.at;
  if (isTerminalExecutionStatus(event.status)) {
    next.finishedAt = event.at;
    next.durationMs = msBetween(next.startedAt, event.at);
  } else {
    next.finishedAt = null;
    next.durationMs = null;
  }
  return next;
}

function applyLog(state: ExecutionDetail, event: LogEvent): ExecutionDetail {
  const log: ExecutionDetail["logs"][number] = { at: event.at, level: event.level, message: event.message };
  if (event.nodeId !== undefined) log.nodeId = event.nodeId;
  const logs = [...state.logs, log];
  return { ...state, logs: logs.length > MAX_LOGS ? logs.slice(-MAX_LOGS) : logs };
}

/** The reducer of the execution page. */
export function executionReducer(state: ExecutionDetail, action: ExecutionAction): ExecutionDetail {
  switch (action.type) {
    case "snapshot":
      return action.detail;
    case "status":
      return { ...state, status: action.status };
    case "events":
      return action.events.reduce((s, event) => executionReducer(s, { type: "event", event }), state);
    case "event": {
      const event = action.event;
      if (event.type === "node") {
        const nodes = { ...state.nodes, [event.nodeId]: applyNodeEvent(state.nodes[event.nodeId], event) };
        return { ...state, nodes, progress: progressOf(nodes) };
      }
      if (event.type === "execution") return applyExecutionEvent(state, event);
      if (event.type === "log") return applyLog(state, event);
      return state;
    }
  }
}
