import type { ExecutionEvent, LogEvent, NodeEvent, PartialEvent } from "@/lib/contract/events";
import type { ExecutionDetail as ContractExecutionDetail } from "@/lib/contract/execution";
import { isTerminal } from "@/lib/contract/status";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

/** The snapshot an event stream starts with: `GET /api/executions/:id`. */
export type ExecutionDetail = ContractExecutionDetail<WorkflowDefinition>;

/** Callbacks of `subscribeToExecution`; events come with their `type`, in order, each once. */
export interface ExecutionEventHandlers {
  /** The whole state, first and again after every reconnect: redraw from it. */
  onSnapshot(snapshot: ExecutionDetail): void;
  onNode(event: NodeEvent, seq: number): void;
  onLog(event: LogEvent, seq: number): void;
  onExecution(event: ExecutionEvent, seq: number): void;
  onPartial?(event: PartialEvent, seq: number): void;
  /** A connection failed; `willRetry` is false when the helper gave up. */
  onError?(error: { message: string; willRetry: boolean }): void;
}

/** Where and how to connect; the defaults suit the browser. */
export interface SubscribeOptions {
  /** Prefix of the API URL, e.g. `http://127.0.0.1:3000` outside a page. Default: same origin. */
  baseUrl?: string;
  /** The stream's path. Default: `/api/executions/:id/events`; share pages use `/api/share/:token/events`. */
  path?: string;
  /** The EventSource class (tests pass undici's). Default: `globalThis.EventSource`. */
  EventSource?: typeof EventSource;
  /** Consecutive failed connections before giving up. Default 10. */
  maxFailures?: number;
}

/**
 * Follows an execution's live events (SPEC §4) until its terminal `execution` event; returns the
 * function that stops following.
 *
 * Reconnects: while the server is reachable, EventSource reconnects by itself and sends
 * `Last-Event-ID`, also when the server closes the stream at its maximum duration. When
 * EventSource gives up (an error response, the network gone), this helper opens a new one after a
 * backoff with `?lastEventId=` of the last event seen. Events at or below that id are never passed
 * on twice, and events the latest snapshot already reflects (seq <= its `eventSeq`, replayed after a
 * reconnect) are skipped, except the terminal `execution` event, so logs are not doubled. It stops
 * after the terminal event, or when a terminal snapshot is followed by the end of the stream.
 */
export function subscribeToExecution(
  executionId: string,
  handlers: ExecutionEventHandlers,
  options: SubscribeOptions = {},
): () => void {
  const EventSourceImpl = options.EventSource ?? globalThis.EventSource;
  const maxFailures = options.maxFailures ?? 10;
  const base = `${options.baseUrl ?? ""}${options.path ?? `/api/executions/${encodeURIComponent(executionId)}/events`}`;
  let lastSeq: number | undefined;
  let coveredUpTo = 0;
  let snapshotTerminal = false;
  let failures = 0;
  let stopped = false;
  let source: EventSource | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const stop = () => {
    stopped = true;
    if (retryTimer) clearTimeout(retryTimer);
    source?.close();
    source = undefined;
  };

  const onEvent = (e: MessageEvent<string>) => {
    if (stopped) return;
    const seq = Number(e.lastEventId);
    if (!Number.isFinite(seq) || (lastSeq !== undefined && seq <= lastSeq)) return;
    lastSeq = seq;
    failures = 0;
    const event = { ...JSON.parse(e.data), type: e.type };
    const terminal = event.type === "execution" && isTerminal(event.status);
    if (seq <= coveredUpTo && !terminal) return;
    if (event.type === "node") handlers.onNode(event, seq);
    else if (event.type === "log") handlers.onLog(event, seq);
    else if (event.type === "partial") handlers.onPartial?.(event, seq);
    else if (event.type === "execution") {
      handlers.onExecution(event, seq);
      if (terminal) stop();
    }
  };

  function connect() {
    if (stopped) return;
    const url = lastSeq === undefined ? base : `${base}?lastEventId=${lastSeq}`;
    const es = new EventSourceImpl(url);
    source = es;
    es.addEventListener("snapshot", (e) => {
      if (stopped) return;
      const message = e as MessageEvent<string>;
      const snapshot = JSON.parse(message.data) as ExecutionDetail;
      failures = 0;
      snapshotTerminal = isTerminal(snapshot.status);
      coveredUpTo = snapshot.eventSeq;
      handlers.onSnapshot(snapshot);
    });
    for (const type of ["node", "log", "execution", "partial"]) {
      es.addEventListener(type, (e) => onEvent(e as MessageEvent<string>));
    }
    es.addEventListener("error", () => {
      if (stopped || source !== es) return;
      if (snapshotTerminal) {
        stop();
        return;
      }
      if (es.readyState !== EventSourceImpl.CLOSED) return;
      failures++;
      const willRetry = failures < maxFailures;
      handlers.onError?.({ message: "the event stream failed", willRetry });
      if (!willRetry) {
        stop();
        return;
      }
      retryTimer = setTimeout(connect, Math.min(15_000, 500 * 2 ** (failures - 1)));
    });
  }

  connect();
  return stop;
}
