import { createStore, type StoreApi } from "zustand/vanilla";
import type {
  EngineEvent,
  EventPayload,
  ExecutionError,
  ExecutionEvent,
  ExecutionProgress,
  LogEvent,
  NodeEvent,
  PartialEvent,
} from "@/lib/contract/events";
import type { ExecutionLog, ExecutionNodeDetail, SingleNodeAnswer } from "@/lib/contract/execution";
import { type ExecutionStatus, isFinishedNode, isTerminal, type NodeStatus } from "@/lib/contract/status";
import {
  appendLogs,
  type ExecutionView,
  type IterationViews,
  type NodeView,
  type ReduceOptions,
  reduceEvents,
} from "@/lib/events/execution-reducer";
import type { RunMode } from "@/lib/workflow/schema";

/** What the canvas and the inspector know of one node in the current (or last) run. */
export interface NodeRunView extends NodeView {
  input?: unknown;
  /** Set when the result comes from running this node alone (the play button). */
  single?: boolean;
}

/** The part of `GET /api/executions/:id` (and the SSE snapshot) the builder reads. */
export interface ExecutionSnapshot {
  id: string;
  status: ExecutionStatus;
  progress?: ExecutionProgress;
  outputs?: Record<string, unknown> | null;
  error?: ExecutionError | null;
  nodes: Record<string, Partial<ExecutionNodeDetail> & { status: NodeStatus }>;
  logs?: ExecutionLog[];
}

/** `POST /api/workflows/:id/nodes/:nodeId/run`'s answer, as far as the builder reads it. */
export type SingleNodeResult = Pick<SingleNodeAnswer, "nodeId" | "status"> &
  Partial<Pick<SingleNodeAnswer, "output" | "error" | "durationMs" | "cached" | "logs">>;

const LOG_LIMIT = 500;

export interface RunState extends ExecutionView<NodeRunView> {
  executionId: string | undefined;
  /** `starting` while the run request is in flight. */
  status: ExecutionStatus | "starting" | undefined;
  progress: ExecutionProgress | undefined;
  /** Whether the execution's snapshot has been read since the run started (nodes are known). */
  synced: boolean;
  outputs: Record<string, unknown> | undefined;
  error: ExecutionError | undefined;
  nodes: Record<string, NodeRunView>;
  /** Loop body nodes' per-iteration views (node id → iteration key → view). */
  iterations: Record<string, IterationViews>;
  /** LLM text streamed so far, by node id. */
  partial: Record<string, string>;
  logs: ExecutionLog[];
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
  applyNode(event: EventPayload<NodeEvent>): void;
  applyExecution(event: EventPayload<ExecutionEvent>): void;
  applyLog(event: EventPayload<LogEvent>): void;
  applyPartial(event: EventPayload<PartialEvent>): void;
  /** Fills in node inputs from a later read of the execution (events do not carry inputs). */
  applyInputs(executionId: string, nodes: ExecutionSnapshot["nodes"]): void;
  /** Applies many events with one state change (one repaint). */
  applyBatch(events: readonly EngineEvent[]): void;
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
  handedOff: undefined,
  startedAt: undefined,
  finishedAt: undefined,
  durationMs: undefined,
  nodes: {},
  iterations: {},
  partial: {},
  logs: [],
  singleRunning: {},
} satisfies Partial<RunState>;

/** The shared client reducer's settings for the builder: node events mark views as not single-node. */
const reduceOptions: ReduceOptions<NodeRunView> = {
  blank: { status: "pending" },
  maxLogs: LOG_LIMIT,
  stamp: { single: false },
};

/**
 * Live state of the builder's run, fed by the run API answers and the SSE stream through the
 * shared client reducer (lib/events/execution-reducer.ts). Each node's view is replaced only when
 * its own event arrives, so a node component selecting `nodes[id]?.status` re-renders only when
 * that status changes.
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
        iterations: {},
        logs: (snapshot.logs ?? []).slice(-LOG_LIMIT),
      });
    },

    applyNode(event) {
      set(reduceEvents(get(), [{ ...event, type: "node" }], reduceOptions));
    },

    applyBatch(events) {
      set(reduceEvents(get(), events, reduceOptions));
    },

    applyExecution(event) {
      set(reduceEvents(get(), [{ ...event, type: "execution" }], reduceOptions));
    },

    applyLog(event) {
      set(reduceEvents(get(), [{ ...event, type: "log" }], reduceOptions));
    },

    applyPartial(event) {
      set(reduceEvents(get(), [{ ...event, type: "partial" }], reduceOptions));
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
        logs: appendLogs(get().logs, lines, LOG_LIMIT),
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

/** Whether a run is in progress (controls enabled, Run disabled). */
export function isActive(status: RunState["status"]): boolean {
  return status !== undefined && !isTerminal(status);
}

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
    if (isFinishedNode(view.status)) finished++;
    else if (view.status === "running") running++;
  }
  const total = Math.max(s.progress?.total ?? 0, seen, finished);
  let status: RunBadge["status"] = s.status;
  const terminal = isTerminal(s.status);
  // The run's answer can say "failed" before its node events are read: the canvas is still grey.
  if (terminal && !s.synced) status = "running";
  else if (running > 0 && (terminal || s.status === "queued")) status = "running";
  return { status, finished, total };
}
