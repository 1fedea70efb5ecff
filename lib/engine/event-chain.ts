import type { EngineEvent, EventSink } from "./ports";

/** Emits events strictly in order, each after the save it depends on. */
export interface EventChain {
  /** Queues `event`; it is emitted once `after` (its checkpoint save) has settled. */
  push(event: EngineEvent, after?: Promise<unknown>): void;
  /** Receives a failed save or emit (the run then fails with a journal error). */
  onError(handler: (err: unknown) => void): void;
  /** Resolves once everything queued so far has been emitted. */
  flush(): Promise<void>;
}

/**
 * The ordered event chain of a run: a queue drained by one loop (not a promise chain per event).
 * Each event waits for the save it depends on, so a client never sees a state the journal could
 * lose; a sink that returns nothing is not awaited.
 */
export function createEventChain(sink: EventSink): EventChain {
  const queue: Array<{ event: EngineEvent; after?: Promise<unknown> } | undefined> = [];
  let head = 0;
  let draining: Promise<void> = Promise.resolve();
  let running = false;
  let onError: (err: unknown) => void = () => {};
  const drain = async () => {
    while (head < queue.length) {
      const item = queue[head]!;
      queue[head++] = undefined;
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
    push(event, after) {
      queue.push(after ? { event, after } : { event });
      if (!running) {
        running = true;
        draining = drain();
      }
    },
    onError(handler) {
      onError = handler;
    },
    async flush() {
      while (running) await draining;
    },
  };
}
