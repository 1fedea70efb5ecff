import "server-only";
import { sql } from "drizzle-orm";
import type postgres from "postgres";
import { type Database, query } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { decodeAnnouncements, EVENTS_CHANNEL } from "./notifier";
import { readEvents, type StoredEvent } from "./store";

/** Receives events in seq order, each exactly once, starting after the seq it subscribed from. */
export type EventsListener = (events: StoredEvent[]) => void;

/** What `hubStats()` counts, for tests and diagnostics. */
export interface HubStats {
  /** Hubs alive (one per open database with subscribers). */
  hubs: number;
  /** Executions with at least one subscriber. */
  channels: number;
  subscribers: number;
  /** Dedicated LISTEN connections held (at most one per hub). */
  listeners: number;
  /** Poll timers running. */
  timers: number;
}

/** Table poll period where LISTEN is unavailable, and the safety poll period beside LISTEN. */
export const hubTiming = { pollMs: 250, safetyPollMs: 2_000, readLimit: 200 };

/**
 * How a subscriber stays gap-free: it keeps `last`, the seq it delivered last. A batch that starts
 * right after `last` is delivered at once; anything else (a batch after a gap, the catch-up on
 * join) goes through the subscriber's own chain, which reads the missing rows from the table first.
 * The table, not NOTIFY, is the source of order: a notification only says "read again".
 */
interface Subscriber {
  last: number;
  listener: EventsListener;
  busy: Promise<void> | undefined;
  closed: boolean;
}

/** The subscribers of one execution and the shared cursor up to which rows were read for them. */
interface Channel {
  executionId: string;
  cursor: number;
  subscribers: Set<Subscriber>;
  reading: Promise<void> | undefined;
  again: boolean;
}

/**
 * One hub per open database: the channels and the wake-up source. On Postgres, one dedicated
 * connection LISTENs on `braid_events` for the whole process (not one per client); every
 * (re)connect wakes all channels, since notifications sent while disconnected are lost. A slow
 * safety poll covers anything else that slips. Without LISTEN (PGlite, EVENTS_LISTEN=false) the
 * hub polls `executions.event_seq` of its channels every 250 ms. Timers and the connection exist
 * only while the hub has subscribers.
 */
interface Hub {
  database: Database;
  channels: Map<string, Channel>;
  listenSql: postgres.Sql | undefined;
  timer: ReturnType<typeof setInterval> | undefined;
  polling: boolean;
}

const globalForHub = globalThis as unknown as { __braidEventHubs?: Map<Database, Hub> };
globalForHub.__braidEventHubs ??= new Map();
const hubs = globalForHub.__braidEventHubs;

/** Counts of live hubs, channels, subscribers, LISTEN connections and timers in this process. */
export function hubStats(): HubStats {
  const stats: HubStats = { hubs: hubs.size, channels: 0, subscribers: 0, listeners: 0, timers: 0 };
  for (const hub of hubs.values()) {
    stats.channels += hub.channels.size;
    for (const channel of hub.channels.values()) stats.subscribers += channel.subscribers.size;
    if (hub.listenSql) stats.listeners++;
    if (hub.timer) stats.timers++;
  }
  return stats;
}

function deliver(sub: Subscriber, events: StoredEvent[]): void {
  const fresh = events.filter((e) => e.seq > sub.last);
  const tail = fresh[fresh.length - 1];
  if (!tail) return;
  sub.last = tail.seq;
  try {
    sub.listener(fresh);
  } catch (err) {
    console.error("events: a subscriber threw", err);
  }
}

/** Reads and delivers rows after `sub.last` until `untilSeq` (or the end of the table) is reached. */
async function fill(hub: Hub, executionId: string, sub: Subscriber, untilSeq: number): Promise<void> {
  while (!sub.closed && sub.last < untilSeq) {
    const limit = Math.min(hubTiming.readLimit, untilSeq - sub.last);
    const rows = await readEvents(hub.database.db, executionId, sub.last, limit);
    if (sub.closed) return;
    deliver(sub, rows);
    if (rows.length < limit) return;
  }
}

function runExclusive(sub: Subscriber, task: () => Promise<void>): void {
  const previous = sub.busy ?? Promise.resolve();
  const next: Promise<void> = previous
    .then(task)
    .catch((err) => console.error("events: catching up a subscriber failed", err))
    .finally(() => {
      if (sub.busy === next) sub.busy = undefined;
    });
  sub.busy = next;
}

function push(hub: Hub, channel: Channel, sub: Subscriber, batch: StoredEvent[]): void {
  const first = batch[0];
  if (!first || sub.closed) return;
  if (!sub.busy && first.seq <= sub.last + 1) {
    deliver(sub, batch);
    return;
  }
  runExclusive(sub, async () => {
    await fill(hub, channel.executionId, sub, first.seq - 1);
    if (!sub.closed) deliver(sub, batch);
  });
}

function wake(hub: Hub, channel: Channel): void {
  if (channel.reading) {
    channel.again = true;
    return;
  }
  channel.reading = (async () => {
    do {
      channel.again = false;
      for (;;) {
        const rows = await readEvents(
          hub.database.db,
          channel.executionId,
          channel.cursor,
          hubTiming.readLimit,
        );
        const tail = rows[rows.length - 1];
        if (!tail) break;
        channel.cursor = tail.seq;
        for (const sub of channel.subscribers) push(hub, channel, sub, rows);
        if (rows.length < hubTiming.readLimit) break;
      }
    } while (channel.again && channel.subscribers.size > 0);
  })()
    .catch((err) => console.error(`events: reading events of ${channel.executionId} failed`, err))
    .finally(() => {
      channel.reading = undefined;
    });
}

/** Wakes every channel whose `executions.event_seq` moved past its cursor: one query per tick. */
async function poll(hub: Hub): Promise<void> {
  if (hub.polling || hub.channels.size === 0) return;
  hub.polling = true;
  try {
    const ids = [...hub.channels.keys()];
    const rows = await query<{ id: string; event_seq: number }>(
      hub.database.db,
      sql`select id, event_seq from executions where id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
    for (const row of rows) {
      const channel = hub.channels.get(row.id);
      if (channel && Number(row.event_seq) > channel.cursor) wake(hub, channel);
    }
  } catch (err) {
    console.error("events: polling failed", err);
  } finally {
    hub.polling = false;
  }
}

/** A NOTIFY payload lists `executionId:lastSeq` items (coalesced by the writers' notifiers). */
function onNotify(hub: Hub, payload: string): void {
  for (const { executionId, lastSeq } of decodeAnnouncements(payload)) {
    const channel = hub.channels.get(executionId);
    if (channel && lastSeq > channel.cursor) wake(hub, channel);
  }
}

async function startListening(hub: Hub): Promise<void> {
  if (hub.database.kind !== "postgres") return;
  const { default: postgresJs } = await import("postgres");
  if (hubs.get(hub.database) !== hub) return;
  const listenSql = postgresJs(hub.database.url, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: "braid-events" },
  });
  hub.listenSql = listenSql;
  try {
    await listenSql.listen(
      EVENTS_CHANNEL,
      (payload) => onNotify(hub, payload),
      () => {
        for (const channel of hub.channels.values()) wake(hub, channel);
      },
    );
  } catch (err) {
    if (hub.listenSql !== listenSql) return;
    console.error("events: LISTEN failed; polling instead", err);
    hub.listenSql = undefined;
    await listenSql.end({ timeout: 0 }).catch(() => {});
    if (hub.timer) clearInterval(hub.timer);
    hub.timer = setInterval(() => void poll(hub), hubTiming.pollMs);
  }
}

function openHub(database: Database): Hub {
  const hub: Hub = { database, channels: new Map(), listenSql: undefined, timer: undefined, polling: false };
  hubs.set(database, hub);
  const listen = database.kind === "postgres" && getEnv().EVENTS_LISTEN;
  hub.timer = setInterval(() => void poll(hub), listen ? hubTiming.safetyPollMs : hubTiming.pollMs);
  if (listen) void startListening(hub);
  return hub;
}

function closeHub(hub: Hub): void {
  hubs.delete(hub.database);
  if (hub.timer) clearInterval(hub.timer);
  hub.timer = undefined;
  const listenSql = hub.listenSql;
  hub.listenSql = undefined;
  if (listenSql) void listenSql.end({ timeout: 0 }).catch(() => {});
}

/**
 * Subscribes to the events of one execution with `seq > afterSeq`: `listener` gets them in order,
 * each once, from the table, then live as they are written by any process. Returns the
 * unsubscribe function; the last one to leave releases the LISTEN connection and the timers.
 */
export function subscribeToEvents(
  database: Database,
  executionId: string,
  afterSeq: number,
  listener: EventsListener,
): () => void {
  const hub = hubs.get(database) ?? openHub(database);
  let channel = hub.channels.get(executionId);
  if (!channel) {
    channel = { executionId, cursor: afterSeq, subscribers: new Set(), reading: undefined, again: false };
    hub.channels.set(executionId, channel);
  }
  const sub: Subscriber = { last: afterSeq, listener, busy: undefined, closed: false };
  channel.subscribers.add(sub);
  const joined = channel;
  if (sub.last < joined.cursor) runExclusive(sub, () => fill(hub, executionId, sub, joined.cursor));
  wake(hub, joined);

  return () => {
    if (sub.closed) return;
    sub.closed = true;
    joined.subscribers.delete(sub);
    if (joined.subscribers.size > 0) return;
    if (hub.channels.get(executionId) === joined) hub.channels.delete(executionId);
    if (hub.channels.size === 0 && hubs.get(database) === hub) closeHub(hub);
  };
}
