import type { EngineEvent } from "@/lib/contract/events";
import type { ExecutionNodeDetail } from "@/lib/contract/execution";
import {
  applyNodeEvent as applyNodeEventTo,
  type ExecutionView,
  reduceEvents,
} from "@/lib/events/execution-reducer";
import type { ExecutionDetail } from "@/lib/runs/get-execution";

/**
 * The execution page's state: the `GET /api/executions/:id` snapshot, kept current by SSE events
 * through the shared client reducer (lib/events/execution-reducer.ts). A snapshot replaces
 * everything (it is the truth after a reconnect); node, log and execution events patch it. Events
 * carry ISO times, so start/finish come from the server, never the browser.
 */
export type ExecutionState = ExecutionDetail & Pick<ExecutionView, "iterations">;

export type ExecutionAction =
  | { type: "snapshot"; detail: ExecutionDetail }
  | { type: "event"; event: EngineEvent }
  /** Events that arrived within one animation frame, applied in order in one render. */
  | { type: "events"; events: EngineEvent[] }
  | { type: "status"; status: ExecutionDetail["status"] };

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

const options = { blank: emptyNode, maxLogs: 1000, recountProgress: true };

/** Applies one `node` event to a node's detail. */
export function applyNodeEvent(
  prev: ExecutionNodeDetail | undefined,
  event: Parameters<typeof applyNodeEventTo>[1],
): ExecutionNodeDetail {
  return applyNodeEventTo(prev ?? emptyNode, event);
}

/** The reducer of the execution page. */
export function executionReducer(state: ExecutionState, action: ExecutionAction): ExecutionState {
  switch (action.type) {
    case "snapshot":
      return action.detail;
    case "status":
      return { ...state, status: action.status };
    case "events":
      return reduceEvents(state, action.events, options);
    case "event":
      return reduceEvents(state, [action.event], options);
  }
}
