import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { isConnectionError } from "@/lib/db/connection-errors";
import { toJsonParam } from "@/lib/db/json-param";
import type { NodeCheckpoint } from "@/lib/engine/ports";
import { EVENTS_CHANNEL } from "@/lib/events/store";
import { capRunOutputs } from "@/lib/security/limits";
import { checkpointRecord } from "./save-node-runs";

/** How a runner leaves an execution: what `settleExecution` writes. */
export interface Settlement {
  id: string;
  fence: number;
  to: "succeeded" | "failed" | "cancelled" | "queued" | "paused" | "waiting";
  outputs?: unknown;
  error?: { message: string; code?: string; nodeId?: string } | null;
  handedOff?: boolean;
  /** Items encoded with `encodeEvent`, appended with the next seq numbers. */
  events: string[];
  /** Node checkpoints not stored yet (distinct nodes), upserted in the same statement. */
  checkpoints?: NodeCheckpoint[];
}

/**
 * Ends a runner's hold on an execution and stores its last events and checkpoints, in one
 * statement (one commit): a terminal status (`succeeded`, `failed`, `cancelled`: outputs, error,
 * finished_at) as `finishExecution` writes it, or a release (`queued`, `paused`: checkpoints kept)
 * as `releaseExecution` does; `events` appended with the next seq numbers; `checkpoints` upserted
 * into node_runs. Status, checkpoints and events land together, so a client that reads an event
 * sees the status it reports. The new last seq is announced (NOTIFY on the events channel) by the
 * same statement, so subscribers hear of it at commit without another round trip. Outputs are
 * stored capped (`capRunOutputs`), like node outputs. A no-op unless `fence` is current and the
 * execution running. Returns the execution's new `event_seq`, or undefined when fenced out.
 *
 * Group commit: settles of one process that come while earlier ones are being written wait for a
 * free slot and go out together, many executions in one statement (`settleExecutions`), so a busy
 * drainer pays one commit, one NOTIFY and one round trip for a burst of finished runs. Each
 * execution keeps its own fence check; a batch that fails for another reason than a lost
 * connection is retried one execution at a time, so one bad row fails only its own settle.
 */
export function settleExecution(db: Db, settlement: Settlement): Promise<number | undefined> {
  let state = batchers.get(db);
  if (!state) {
    state = { queue: [], inFlight: 0, scheduled: false };
    batchers.set(db, state);
  }
  const s = state;
  return new Promise((resolve, reject) => {
    s.queue.push({ settlement, resolve, reject });
    if (s.inFlight === 0 && !s.scheduled) {
      // Runs that finish in the same turn of the event loop (answers read from several
      // connections at once) go out together.
      s.scheduled = true;
      setImmediate(() => {
        s.scheduled = false;
        pump(db, s);
      });
    } else if (!s.scheduled) pump(db, s);
  });
}

/** Settle statements of one process in flight at once (each may carry many executions). */
const MAX_IN_FLIGHT = 2;
/** Executions per settle statement at most. */
const MAX_BATCH = 64;

interface Waiting {
  settlement: Settlement;
  resolve: (last: number | undefined) => void;
  reject: (err: unknown) => void;
}
interface BatcherState {
  queue: Waiting[];
  inFlight: number;
  scheduled: boolean;
}
const batchers = new WeakMap<Db, BatcherState>();

function pump(db: Db, s: BatcherState): void {
  while (s.inFlight < MAX_IN_FLIGHT && s.queue.length > 0) {
    const batch = s.queue.splice(0, MAX_BATCH);
    s.inFlight++;
    void writeBatch(db, batch).finally(() => {
      s.inFlight--;
      pump(db, s);
    });
  }
}

async function writeBatch(db: Db, batch: Waiting[]): Promise<void> {
  try {
    const lasts = await settleExecutions(
      db,
      batch.map((w) => w.settlement),
    );
    for (const [i, w] of batch.entries()) w.resolve(lasts[i]);
  } catch (err) {
    // A lost connection is the callers' to retry (a settle repeated after a commit whose answer
    // was lost finds the execution settled and changes nothing); anything else may be one row's
    // fault, so each execution is tried on its own.
    if (batch.length === 1 || isConnectionError(err)) {
      for (const w of batch) w.reject(err);
      return;
    }
    await Promise.all(
      batch.map((w) =>
        settleExecutions(db, [w.settlement]).then(
          ([last]) => w.resolve(last),
          (e: unknown) => w.reject(e),
        ),
      ),
    );
  }
}

/** JSON text of one settlement for the statement's `jsonb_to_recordset` (events are JSON already). */
function settlementJson(s: Settlement): string {
  const release = s.to === "queued" || s.to === "paused" || s.to === "waiting";
  const outputs = release || s.outputs === undefined ? "null" : toJsonParam(capRunOutputs(s.outputs));
  const error = release || !s.error ? "null" : toJsonParam(s.error);
  const checkpoints = toJsonParam((s.checkpoints ?? []).map(checkpointRecord));
  return `{"id":${JSON.stringify(s.id)},"fence":${Number(s.fence)},"target":${JSON.stringify(s.to)},"outputs":${outputs},"error":${error},"handed_off":${s.handedOff === true},"events":[${s.events.join(",")}],"checkpoints":${checkpoints}}`;
}

/**
 * The settle statement for any number of executions (distinct ids): what `settleExecution`
 * describes, for each, in one statement. Returns each one's new `event_seq`, in order, or
 * undefined for those fenced out (stale fence, or no longer running).
 */
export async function settleExecutions(db: Db, settlements: Settlement[]): Promise<(number | undefined)[]> {
  if (settlements.length === 0) return [];
  const param = `[${settlements.map(settlementJson).join(",")}]`;
  const rows = await query<{ id: string; last: number }>(
    db,
    sql`with x as (
      select * from jsonb_to_recordset(${param}::text::jsonb) as x(id text, fence int, target text,
        outputs jsonb, error jsonb, handed_off boolean, events jsonb, checkpoints jsonb)
    ), bumped as (
      update executions e set
        event_seq = e.event_seq + jsonb_array_length(x.events),
        status = x.target,
        outputs = case when x.target in ('queued', 'paused', 'waiting') then e.outputs else x.outputs end,
        error = case when x.target in ('queued', 'paused', 'waiting') then e.error else x.error end,
        finished_at = case when x.target in ('queued', 'paused', 'waiting') then e.finished_at else now() end,
        control = case when x.target = 'queued' then e.control else null end,
        handed_off = case when x.target in ('queued', 'paused', 'waiting') then e.handed_off or x.handed_off else e.handed_off end,
        run_after = case when x.target in ('queued', 'paused', 'waiting') then now() else e.run_after end,
        run_ms = case when x.target in ('queued', 'paused', 'waiting')
          then e.run_ms + greatest(0, floor(extract(epoch from (now() - e.segment_started_at)) * 1000))::int
          else e.run_ms end,
        segment_started_at = case when x.target in ('queued', 'paused', 'waiting') then now() else e.segment_started_at end,
        lease_owner = null, lease_expires_at = null, updated_at = now()
      from x
      where e.id = x.id and e.fence = x.fence and e.status = 'running'
      returning e.id, e.event_seq, x.events, x.checkpoints
    ), inserted as (
      insert into execution_events (execution_id, seq, type, payload)
      select b.id, b.event_seq - jsonb_array_length(b.events) + v.i::int, v.item->>'t', v.item->'p'
      from bumped b, jsonb_array_elements(b.events) with ordinality as v(item, i)
    ), checkpointed as (
      insert into node_runs (execution_id, node_id, status, attempts, input, output, error, cached,
        started_at, finished_at, duration_ms, handle, updated_at)
      select b.id, c.node_id, c.status, c.attempts, c.input, c.output, c.error, c.cached,
        c.started_at, c.finished_at, c.duration_ms, c.handle, now()
      from bumped b, jsonb_to_recordset(b.checkpoints) as c(node_id text, status text, attempts int,
        input jsonb, output jsonb, error jsonb, cached boolean, started_at timestamptz, finished_at timestamptz,
        duration_ms int, handle text)
      on conflict (execution_id, node_id) do update set status = excluded.status, attempts = excluded.attempts,
        input = excluded.input, output = excluded.output, error = excluded.error, cached = excluded.cached,
        started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
        handle = excluded.handle, updated_at = now()
    )
    select b.id, b.event_seq as last,
      pg_notify(${EVENTS_CHANNEL}, b.id || ':' || b.event_seq::text) is null as notified
    from bumped b`,
  );
  const last = new Map(rows.map((r) => [r.id, Number(r.last)]));
  return settlements.map((s) => last.get(s.id));
}
