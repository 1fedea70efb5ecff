import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { EngineEvent } from "@/lib/contract/events";
import { type Database, type Db, query } from "@/lib/db/client";
import { connectionBackoffMs, isConnectionError } from "@/lib/db/connection-errors";
import { toJsonParam } from "@/lib/db/json-param";
import type { EventSink } from "@/lib/engine/ports";
import { EVENTS_CHANNEL, getEventNotifier } from "./notifier";

export { EVENTS_CHANNEL };

/** One stored event: `payload` is the event without its `type`. */
export interface StoredEvent {
  seq: number;
  type: EngineEvent["type"];
  payload: Record<string, unknown>;
}

/** An event sink that stores events in `execution_events`, numbered 1, 2, 3… per execution. */
export interface EventWriter extends EventSink {
  /** Resolves once every event emitted so far is stored (or dropped because the writer is fenced). */
  flush(): Promise<void>;
  /** True once a write found the execution's fence changed (or the execution gone): nothing more is written. */
  readonly fenced: boolean;
}

const MAX_BATCH = 500;
const RETRY_DELAYS_MS = [50, 250, 1000];
/** About ten minutes of retries at the capped backoff. */
const MAX_CONNECTION_RETRIES = 600;

/**
 * An event as one item of the JSON array the writers insert from: `{"t":<type>,"p":<payload>}`.
 * Throws only when the event cannot be encoded at all.
 */
export function encodeEvent(event: EngineEvent): string {
  const { type, ...payload } = event;
  return `{"t":${JSON.stringify(type)},"p":${toJsonParam(payload)}}`;
}

/**
 * The one statement that appends events (items encoded with `encodeEvent`) to an execution: it
 * bumps `executions.event_seq` by their count (with `set`, more assignments of the same UPDATE,
 * and `where`, more conditions such as the fence) and inserts them numbered from the old value,
 * returning `last`, the new `event_seq`. No row is returned when the update matched nothing, and
 * then nothing is inserted. The row lock the UPDATE takes serializes writers, so rows become
 * visible in seq order.
 */
export function appendEventsStatement(options: {
  executionId: string;
  events: string[];
  set?: SQL;
  where?: SQL;
  /** Also announce the new last seq on EVENTS_CHANNEL in the same statement (sent at commit). */
  notify?: boolean;
}): SQL {
  const count = options.events.length;
  const items = `[${options.events.join(",")}]`;
  const set = options.set ? sql`, ${options.set}` : sql``;
  const where = options.where ? sql` and ${options.where}` : sql``;
  return sql`with bumped as (
      update executions set event_seq = event_seq + ${count}::int${set}
      where id = ${options.executionId}${where}
      returning event_seq
    ),
    inserted as (
      insert into execution_events (execution_id, seq, type, payload)
      select ${options.executionId}, bumped.event_seq - ${count}::int + e.i::int, e.item->>'t', e.item->'p'
      from bumped, jsonb_array_elements(${items}::text::jsonb) with ordinality as e(item, i)
      returning seq
    )
    select bumped.event_seq as last${
      options.notify
        ? sql`, pg_notify(${EVENTS_CHANNEL}, ${options.executionId} || ':' || bumped.event_seq::text) is null as notified`
        : sql``
    } from bumped`;
}

/**
 * Creates the event sink a runner writes through.
 *
 * Ordering and numbering: `emit` only queues (it never throws and never waits); one write at a
 * time drains the queue, up to 500 events per round trip, starting once the emitting code yields
 * (so events emitted together go out together). Each write is one statement that bumps
 * `executions.event_seq` by the batch size and inserts the rows numbered from the old value. The
 * row lock on the execution serializes concurrent writers, so rows become visible in seq order and
 * a reader that follows seq never sees a gap. After the commit, the new last seq is announced
 * through the process's coalescing notifier (no NOTIFY inside the write: notifying commits are
 * serialized server-wide); `flush` also waits for that announcement.
 *
 * Fencing: with `fence`, the bump only matches while `executions.fence` still equals it. A runner
 * that lost its lease therefore writes nothing; the writer turns `fenced` and drops everything
 * queued then and later. A failed write (connection lost) is retried a few times, then dropped
 * with a console error; a dropped batch consumes no seq numbers.
 */
export function createEventWriter(
  database: Database,
  executionId: string,
  options: { fence?: number } = {},
): EventWriter {
  /** Queued events, each already encoded as `{"t":<type>,"p":<payload>}`. */
  const queue: string[] = [];
  let fenced = false;
  let draining: Promise<void> | undefined;
  let announced: Promise<void> = Promise.resolve();
  let scheduled = false;
  const notifier = getEventNotifier(database);

  async function write(batch: string[]): Promise<void> {
    const rows = await query<{ last: number }>(
      database.db,
      appendEventsStatement({
        executionId,
        events: batch,
        where: options.fence === undefined ? undefined : sql`fence = ${options.fence}::int`,
      }),
    );
    const [row] = rows;
    if (row) announced = notifier.announce(executionId, Number(row.last));
    else fenced = true;
  }

  async function drain(): Promise<void> {
    while (queue.length > 0 && !fenced) {
      const batch = queue.splice(0, MAX_BATCH);
      for (let attempt = 0; ; attempt++) {
        try {
          await write(batch);
          break;
        } catch (err) {
          // A dropped connection is retried until the database is back (the bump is fenced, so a
          // runner that lost its lease meanwhile writes nothing); other errors a few times.
          const delay =
            isConnectionError(err) && attempt < MAX_CONNECTION_RETRIES
              ? connectionBackoffMs(attempt)
              : RETRY_DELAYS_MS[attempt];
          if (delay === undefined) {
            console.error(`events: dropped ${batch.length} event(s) of execution ${executionId}:`, err);
            break;
          }
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    }
    if (fenced) queue.length = 0;
  }

  function kick(): Promise<void> {
    draining ??= drain().finally(() => {
      draining = undefined;
      if (queue.length > 0 && !fenced) void kick();
    });
    return draining;
  }

  return {
    emit(event) {
      if (fenced) return;
      try {
        queue.push(encodeEvent(event));
      } catch (err) {
        console.error(`events: could not encode a ${event.type} event of execution ${executionId}:`, err);
        return;
      }
      if (scheduled || draining) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        void kick();
      });
    },
    async flush() {
      while (draining || (queue.length > 0 && !fenced)) await kick();
      await announced;
    },
    get fenced() {
      return fenced;
    },
  };
}

/** Events of an execution with `seq > afterSeq`, oldest first, at most `limit` (default 1000). */
export async function readEvents(
  db: Db,
  executionId: string,
  afterSeq: number,
  limit = 1000,
): Promise<StoredEvent[]> {
  const rows = await query<{ seq: number; type: StoredEvent["type"]; payload: Record<string, unknown> }>(
    db,
    sql`select seq, type, payload from execution_events
        where execution_id = ${executionId} and seq > ${afterSeq}::int
        order by seq limit ${limit}::int`,
  );
  return rows.map((r) => ({ seq: Number(r.seq), type: r.type, payload: r.payload }));
}
