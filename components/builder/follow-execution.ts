import { isTerminal } from "@/lib/contract/status";
import type { RunStore } from "@/lib/editor/run-store";
import type { LogEvent, NodeEvent, PartialEvent } from "@/lib/engine/ports";
import { subscribeToExecution } from "@/lib/events/client";
import { getExecution } from "./run-client";

/**
 * Feeds an execution's live events (SPEC §4) into the run store until it ends; returns the
 * function that stops following. Node, log and partial events are applied in one batch per
 * animation frame, so 500 nodes changing status cost a few repaints, not a thousand. A snapshot
 * or an execution event flushes what is pending first, keeping the order.
 */
export function followExecution(run: RunStore, executionId: string): () => void {
  let pending: Array<NodeEvent | LogEvent | PartialEvent> = [];
  let scheduled: { frame: number } | { timer: ReturnType<typeof setTimeout> } | undefined;
  const flush = () => {
    scheduled = undefined;
    const batch = pending;
    pending = [];
    run.getState().applyBatch(batch);
  };
  const queue = (event: NodeEvent | LogEvent | PartialEvent) => {
    pending.push(event);
    if (scheduled !== undefined) return;
    // A hidden tab gets no animation frames: fall back to a timer there.
    scheduled = document.hidden ? { timer: setTimeout(flush, 50) } : { frame: requestAnimationFrame(flush) };
  };
  const flushNow = () => {
    if (scheduled === undefined) return;
    if ("frame" in scheduled) cancelAnimationFrame(scheduled.frame);
    else clearTimeout(scheduled.timer);
    flush();
  };
  const stop = subscribeToExecution(executionId, {
    onSnapshot: (snapshot) => {
      pending = [];
      flushNow();
      run.getState().applySnapshot(snapshot);
    },
    onNode: queue,
    onLog: queue,
    onPartial: queue,
    onExecution: (event) => {
      flushNow();
      run.getState().applyExecution(event);
      // Node events carry no inputs: read them once the run is over, for the Output tab.
      if (isTerminal(event.status)) {
        void getExecution(executionId)
          .then((detail) => run.getState().applyInputs(executionId, detail.nodes))
          .catch(() => undefined);
      }
    },
    onError: (error) => {
      if (!error.willRetry) {
        queue({
          type: "log",
          at: new Date().toISOString(),
          level: "warn",
          message: `live updates stopped: ${error.message}`,
        });
      }
    },
  });
  return () => {
    flushNow();
    stop();
  };
}
