import { createStore, type StoreApi } from "zustand/vanilla";
import type {
  ExecutionEvent,
  ExecutionStatus,
  LogEvent,
  NodeError,
  NodeEvent,
  NodeStatus,
  PartialEvent,
} from "@/lib/engine/ports";
import type { RunMode } from "@/lib/workflow/schema";

/** What the canvas and the inspector know of one node in the current (or last) run. */
export interface NodeRunView {
  status: NodeStatus;
  attempts?: number;
  input?: unknown;
  output?: unknown;
  error?: NodeError | null;
  durationMs?: number | null;
  cached?: boolean;
  startedAt?: string | null;
  finishedAt?: string | null;
  /** Set when the result comes from running this node alone (the play button). */
  single?: boolean;
}

/** The part of `GET /api/executions/:id` (and the SSE snapshot) the builder reads. */
export interface ExecutionSnapshot {
  id: string;
  status: ExecutionStatus;
  progress?: { finished: number; total: number };
  outputs?: Record<string, unknown> | null;
  error?: (NodeError & { nodeId?: string }) | null;
  nodes: Record<string, Partial<NodeRunView> & { status: NodeStatus }>;
  logs?: Array<Omit<LogEvent, "type">>;
}

/** `POST /api/workflows/:id/nodes/:nodeId/run`'s answer. */
export interface SingleNodeResult {
  nodeId: string;
  status: NodeStatus;
  output?: unknown;
  error?: NodeError | null;
  durationMs?: number | null;
  cached?: boolean;
  /** The node's log lines (a code node's console output among them). */
  logs?: Array<{ at: string; level: LogEvent["level"]; message: string }>;
}

const LOG_LIMIT = 500;

export interface RunState {
  executionId: string | undefined;
  /** `starting` while the run request is in flight. */
  status: ExecutionStatus | "starting" | undefined;
  progress: { finished: number; total: number } | undefined;
  /** Whether the execution's snapshot has been read since the run started (nodes are known). */
  synced: boolean;
  outputs: Record<string, unknown> | undefined;
  error: (NodeError & { nodeId?: string }) | undefined;
  nodes: Record<string, NodeRunView>;
  /** LLM text streamed so far, by node id. */
  partial: Record<string, string>;
  logs: Array<Omit<LogEvent, "type">>;
  /** Node ids whose single-node run is in flight. */
  singleRunning: Record<string, true>;
  /** The Run button's options: they outlive runs. */
  mode: RunMode;
  inputsText: string;

  setMode(mode: RunMode): void;
  setInputsText(text: string): void;

  starting(): void;
  started(executionId: string, status: ExecutionStatus): void;
  failedToStart(message: string): void;
  applySnapshot(snapshot: ExecutionSnapshot): void;
  applyNode(event: Omit<NodeEvent, "type">): void;
  applyExecution(event: Omit<ExecutionEvent, "type">): void;
  applyLog(event: Omit<LogEvent, "type">): void;
  applyPartial(event: Omit<PartialEvent, "type">): void;
  /** Fills in node inputs from a later read of the execution (events do not carry inputs). */
  applyInputs(executionId: string, nodes: ExecutionSnapshot["nodes"]): void;
  /** Applies many node, log and partial events with one state change (one repaint). */
  applyBatch(events: ReadonlyArray<NodeEvent | LogEvent | PartialEvent>): void;
  singleStarted(nodeId: string): void;
  applySingle(result: SingleNodeResult, input?: unknown): void;
  singleFailed(nodeId: string, message: string): void;
  clear(): void;
}

export type RunStore = StoreApi<RunState>;

const empty = {
  executionId: undefined,
  status: undefined,
  progress: undefined,
  synced: false,
  outputs: undefined,
  error: undefined,
  nodes: {},
  partial: {},
  logs: [],
  singleRunning: {},
} satisfies Partial<RunState>;

/**
 * Live state of the builder's run, fed by the run API answers and the SSE stream. Each node's
 * view is replaced only when its own event arrives, so a node component selecting
 * `nodes[id]?.status` re-renders only when that status changes.
 */
export function createRunStore(options: { mode?: RunMode } = {}): RunStore {
  return createStore<RunState>()((set, get) => ({
    ...empty,
    mode: options.mode ?? "auto",
    inputsText: "{}",

    setMode(mode) {
      set({ mode });
    },

    setInputsText(inputsText) {
      set({ inputsText });
    },

    starting() {
      set({ ...empty, status: "starting" });
    },

    started(executionId, status) {
      set({ executionId, status });
    },

    failedToStart(message) {
      set({ status: undefined, error: { message } });
    },

    applySnapshot(snapshot) {
      const nodes: Record<string, NodeRunView> = {};
      for (const [id, n] of Object.entries(snapshot.nodes)) {
        const { input, ...rest } = n;
        // A node that has not started has no input yet: the snapshot's null means unknown.
        nodes[id] = input === null && n.status === "pending" ? rest : { ...n };
      }
      set({
        executionId: snapshot.id,
        status: snapshot.status,
        synced: true,
        progress: snapshot.progress,
        outputs: snapshot.outputs ?? undefined,
        error: snapshot.error ?? undefined,
        nodes,
        logs: (snapshot.logs ?? []).slice(-LOG_LIMIT),
      });
    },

    applyNode(event) {
      set({ nodes: { ...get().nodes, [event.nodeId]: nextView(get().nodes[event.nodeId], event) } });
    },

    applyBatch(events) {
      if (events.length === 0) return;
      const s = get();
      let nodes: Record<string, NodeRunView> | undefined;
      let partial: Record<string, string> | undefined;
      const logs: Array<Omit<LogEvent, "type">> = [];
      for (const event of events) {
        if (event.type === "node") {
          nodes ??= { ...s.nodes };
          nodes[event.nodeId] = nextView(nodes[event.nodeId], event);
        } else if (event.type === "partial") {
          partial ??= { ...s.partial };
          partial[event.nodeId] = event.text;
        } else {
          const { type: _type, ...line } = event;
          logs.push(line);
        }
      }
      set({
        ...(nodes ? { nodes } : {}),
        ...(partial ? { partial } : {}),
        ...(logs.length > 0 ? { logs: [...s.logs, ...logs].slice(-LOG_LIMIT) } : {}),
      });
    },

    applyExecution(event) {
      set({
        status: event.status,
        progress: event.progress,
        ...(event.outputs !== undefined ? { outputs: event.outputs } : {}),
        ...(event.error !== undefined ? { error: event.error } : {}),
      });
    },

    applyLog(event) {
      set({ logs: [...get().logs, event].slice(-LOG_LIMIT) });
    },

    applyPartial(event) {
      set({ partial: { ...get().partial, [event.nodeId]: event.text } });
    },

    applyInputs(executionId, snapshotNodes) {
      const s = get();
      if (s.executionId !== executionId) return;
      let nodes: Record<string, NodeRunView> | undefined;
      for (const [id, n] of Object.entries(snapshotNodes)) {
        const view = s.nodes[id];
        if (!view || view.single || n.input === undefined || n.input === view.input) continue;
        if (n.input === null && n.status === "pending") continue;
        nodes ??= { ...s.nodes };
        nodes[id] = { ...view, input: n.input };
      }
      if (nodes) set({ nodes });
    },

    singleStarted(nodeId) {
      const prev = get().nodes[nodeId];
      set({
        singleRunning: { ...get().singleRunning, [nodeId]: true },
        nodes: { ...get().nodes, [nodeId]: { ...prev, status: "running", single: true, error: undefined } },
      });
    },

    applySingle(result, input) {
      const { [result.nodeId]: _done, ...rest } = get().singleRunning;
      const lines = (result.logs ?? []).map((l) => ({ ...l, nodeId: result.nodeId }));
      set({
        singleRunning: rest,
        ...(lines.length > 0 ? { logs: [...get().logs, ...lines].slice(-LOG_LIMIT) } : {}),
        nodes: {
          ...get().nodes,
          [result.nodeId]: {
            status: result.status,
            output: result.output,
            error: result.error ?? undefined,
            durationMs: result.durationMs,
            cached: result.cached,
            attempts: 1,
            single: true,
            ...(input !== undefined ? { input } : {}),
          },
        },
      });
    },

    singleFailed(nodeId, message) {
      const { [nodeId]: _done, ...rest } = get().singleRunning;
      set({
        singleRunning: rest,
        nodes: { ...get().nodes, [nodeId]: { status: "failed", error: { message }, single: true } },
      });
    },

    clear() {
      set({ ...empty });
    },
  }));
}

function nextView(prev: NodeRunView | undefined, event: Omit<NodeEvent, "type">): NodeRunView {
  const view: NodeRunView = { ...prev, status: event.status, attempts: event.attempt, single: false };
  if (event.status === "running") {
    view.startedAt = event.at;
    view.error = undefined;
  } else if (event.status !== "pending") {
    view.finishedAt = event.at;
  }
  if (event.durationMs !== undefined) view.durationMs = event.durationMs;
  if (event.output !== undefined) view.output = event.output;
  if (event.error !== undefined) view.error = event.error;
  if (event.cached !== undefined) view.cached = event.cached;
  return view;
}

/** Whether a run is in progress (controls enabled, Run disabled). */
export function isActive(status: RunState["status"]): boolean {
  return status === "starting" || status === "queued" || status === "running" || status === "paused";
}

const FINISHED: ReadonlySet<NodeStatus> = new Set(["succeeded", "failed", "skipped", "cancelled"]);

/** What the builder's status badge shows. */
export interface RunBadge {
  status: ExecutionStatus | "starting";
  finished: number;
  total: number;
}

/**
 * The status badge, derived from the same node views that color the canvas: the count is the
 * nodes shown finished, "running" while any node runs, and a terminal status only once the
 * nodes are known (the snapshot was read) and none is shown running. `total` is the nodes of the run:
 * the execution's own count when known, else the nodes with a view.
 */
export function runBadge(
  s: Pick<RunState, "status" | "nodes" | "progress" | "synced">,
): RunBadge | undefined {
  if (!s.status) return undefined;
  let finished = 0;
  let running = 0;
  let seen = 0;
  for (const id in s.nodes) {
    const view = s.nodes[id];
    if (!view || view.single) continue;
    seen++;
    if (FINISHED.has(view.status)) finished++;
    else if (view.status === "running") running++;
  }
  const total = Math.max(s.progress?.total ?? 0, seen, finished);
  let status: RunBadge["status"] = s.status;
  const terminal = s.status === "succeeded" || s.status === "failed" || s.status === "cancelled";
  // The run's answer can say "failed" before its node events are read: the canvas is still grey.
  if (terminal && !s.synced) status = "running";
  else if (running > 0 && (terminal || s.status === "queued")) status = "running";
  return { status, finished, total };
}
