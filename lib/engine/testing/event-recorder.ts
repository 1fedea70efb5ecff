import type { EngineEvent, EventSink, NodeEvent, NodeStatus } from "../ports";

/** An event sink that keeps every event, with views tests need. */
export interface EventRecorder extends EventSink {
  readonly events: EngineEvent[];
  nodeEvents(status?: NodeStatus): NodeEvent[];
  /** Node ids in the order their first `running` event arrived. */
  startOrder(): string[];
  /** The most nodes ever `running` at once, judged from the event stream. */
  maxConcurrent(): number;
}

/** Creates a recorder; `onEvent` runs on each event (e.g. to cancel mid-run). */
export function createEventRecorder(onEvent?: (event: EngineEvent) => void): EventRecorder {
  const events: EngineEvent[] = [];
  return {
    events,
    emit(event) {
      events.push(event);
      onEvent?.(event);
    },
    nodeEvents(status) {
      return events.filter(
        (e): e is NodeEvent => e.type === "node" && (status === undefined || e.status === status),
      );
    },
    startOrder() {
      const seen = new Set<string>();
      for (const e of events) if (e.type === "node" && e.status === "running") seen.add(e.nodeId);
      return [...seen];
    },
    maxConcurrent() {
      const running = new Set<string>();
      let max = 0;
      for (const e of events) {
        if (e.type !== "node") continue;
        if (e.status === "running") running.add(e.nodeId);
        else running.delete(e.nodeId);
        max = Math.max(max, running.size);
      }
      return max;
    },
  };
}
