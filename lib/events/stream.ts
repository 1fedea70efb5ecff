import "server-only";
import { sql } from "drizzle-orm";
import { AppError, notFound } from "@/lib/contract/errors";
import type { ExecutionDetail } from "@/lib/contract/execution";
import { isTerminal, TerminalExecutionStatus } from "@/lib/contract/status";
import { type Database, query } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import type { Redactor } from "@/lib/security/redact";
import { getMetrics } from "@/lib/telemetry/metrics";
import { subscribeToEvents } from "./hub";
import type { StoredEvent } from "./store";

/** Timing of SSE streams; tests shorten it. `maxDurationMs` undefined means `SSE_MAX_DURATION_MS`. */
export const eventStreamTiming: { heartbeatMs: number; maxDurationMs: number | undefined } = {
  heartbeatMs: 15_000,
  maxDurationMs: undefined,
};

/** A client this far behind (bytes queued, unread) is dropped; it reconnects and resumes. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Response headers of every event stream: no caching, no transformation (hence no compression), no proxy buffering. */
export const EVENT_STREAM_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
} as const;

const encoder = new TextEncoder();
const encoded = new WeakMap<StoredEvent, Uint8Array>();

const encodeFrame = (event: StoredEvent): Uint8Array =>
  encoder.encode(`event: ${event.type}\nid: ${event.seq}\ndata: ${JSON.stringify(event.payload)}\n\n`);

/** One SSE frame of a stored event, encoded once however many streams send it. */
function frameOf(event: StoredEvent): Uint8Array {
  let bytes = encoded.get(event);
  if (!bytes) {
    bytes = encodeFrame(event);
    encoded.set(event, bytes);
  }
  return bytes;
}

/** A terminal `execution` event; one before the snapshot's `eventSeq` belongs to an earlier attempt (retry). */
const isTerminalEvent = (event: StoredEvent) =>
  event.type === "execution" && isTerminal(String(event.payload.status));

const terminalStatusList = sql.join(
  TerminalExecutionStatus.options.map((status) => sql`${status}`),
  sql`, `,
);

/** `Last-Event-ID` (header, or `?lastEventId=` for clients that cannot set headers); undefined when absent. */
export function lastEventIdOf(req: Request): number | undefined {
  const raw = req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("lastEventId");
  if (raw === null || raw.trim() === "") return undefined;
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AppError(400, "invalid_last_event_id", "Last-Event-ID must be a non-negative integer");
  }
  return value;
}

/** Seq of the last terminal `execution` event at or before `atOrBefore`, if any. */
async function lastTerminalSeq(
  database: Database,
  executionId: string,
  atOrBefore: number,
): Promise<number | undefined> {
  const rows = await query<{ seq: number }>(
    database.db,
    sql`select seq from execution_events
        where execution_id = ${executionId} and seq <= ${atOrBefore}::int and type = 'execution'
          and payload->>'status' in (${terminalStatusList})
        order by seq desc limit 1`,
  );
  return rows[0] ? Number(rows[0].seq) : undefined;
}

/**
 * Opens the SSE stream of an execution (SPEC §4).
 *
 * Sequence: `snapshot` (the `GET /api/executions/:id` body) with `id: <resume point>`, then every
 * event with seq after the resume point, in order, each with `id: <seq>`. The resume point is
 * `Last-Event-ID` when given, else the snapshot's `eventSeq` (one before the terminal event for a
 * late subscriber to a finished execution). Where it ends:
 * - the snapshot is terminal: after the last terminal `execution` event (a late subscriber with no
 *   `Last-Event-ID` gets it replayed), or straight after the snapshot when nothing is left;
 * - otherwise: after the first terminal `execution` event written after the snapshot;
 * - in any case before the maximum duration (the client resumes with its last id), when the client
 *   goes away, or when it falls 8 MB behind. Every end releases the subscription and the timers.
 * `loadSnapshot` reads the snapshot (the route passes `getExecutionDetail` of lib/runs), undefined
 * when the execution does not exist (404);
 * `redact` (share links) is applied to the snapshot and to every event before it is sent;
 * `stillAllowed`, asked at every heartbeat, ends the stream when it answers false (a revoked link).
 */
export async function openEventStream(
  database: Database,
  executionId: string,
  req: Request,
  options: {
    loadSnapshot: () => Promise<ExecutionDetail | undefined>;
    redact?: Redactor;
    /** Adds to a `waiting` node event what this viewer may see (the owner's resume links). */
    decorate?: (payload: unknown) => unknown;
    stillAllowed?: () => Promise<boolean>;
  },
): Promise<Response> {
  const openedAt = Date.now();
  const resume = lastEventIdOf(req);
  const { redact } = options;
  const stored = await options.loadSnapshot();
  if (!stored) throw notFound(`execution "${executionId}"`);
  const detail = redact ? redact(stored) : stored;
  // Frames are cached per event and shared by every subscriber; redacted ones are this stream's own.
  const { decorate } = options;
  const waitingNode = (event: StoredEvent) =>
    event.type === "node" && (event.payload as { status?: unknown } | null)?.status === "waiting";
  const frame = (event: StoredEvent) => {
    const decorated = decorate !== undefined && waitingNode(event);
    if (!redact && !decorated) return frameOf(event);
    const payload = redact ? redact(event.payload) : event.payload;
    return encodeFrame({
      ...event,
      payload: decorated ? (decorate(payload) as Record<string, unknown>) : payload,
    });
  };

  let startAfter = resume ?? detail.eventSeq;
  let endAt: number | undefined;
  if (isTerminal(detail.status)) {
    const terminal = await lastTerminalSeq(database, executionId, detail.eventSeq);
    endAt = terminal ?? detail.eventSeq;
    if (resume === undefined && terminal !== undefined) startAfter = terminal - 1;
  }
  // The snapshot's id is the resume point, so ids never repeat or go back within a stream.
  const snapshot = encoder.encode(
    `retry: 1000\nevent: snapshot\nid: ${startAfter}\ndata: ${JSON.stringify(detail)}\n\n`,
  );
  // The snapshot (which carries every log line) may be large itself; only what follows it counts.
  const maxQueued = MAX_BUFFERED_BYTES + snapshot.byteLength;
  const maxDurationMs = eventStreamTiming.maxDurationMs ?? getEnv().SSE_MAX_DURATION_MS;

  let release: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        let unsubscribe: (() => void) | undefined;
        const close = () => {
          if (closed) return;
          closed = true;
          getMetrics().sseStreams.dec();
          clearInterval(heartbeat);
          clearTimeout(deadline);
          req.signal.removeEventListener("abort", close);
          unsubscribe?.();
          try {
            controller.close();
          } catch {
            // already closed or errored by the consumer
          }
        };
        release = close;
        getMetrics().sseStreams.inc();
        const send = (bytes: Uint8Array) => {
          if (closed) return;
          controller.enqueue(bytes);
          if ((controller.desiredSize ?? 0) < -maxQueued) close();
        };
        const heartbeat = setInterval(() => {
          send(encoder.encode(": heartbeat\n\n"));
          options.stillAllowed?.().then(
            (allowed) => allowed || close(),
            () => {},
          );
        }, eventStreamTiming.heartbeatMs);
        const deadline = setTimeout(close, Math.max(0, maxDurationMs - (Date.now() - openedAt)));
        req.signal.addEventListener("abort", close);

        send(snapshot);
        if (req.signal.aborted || (endAt !== undefined && startAfter >= endAt)) {
          close();
          return;
        }
        unsubscribe = subscribeToEvents(database, executionId, startAfter, (events) => {
          for (const event of events) {
            if (closed) return;
            send(frame(event));
            if (
              endAt !== undefined ? event.seq >= endAt : isTerminalEvent(event) && event.seq > detail.eventSeq
            )
              close();
          }
        });
        if (closed) unsubscribe();
      },
      cancel() {
        release?.();
      },
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
  return new Response(stream, { headers: EVENT_STREAM_HEADERS });
}
