import "server-only";
import { sql } from "drizzle-orm";
import { type Database, query } from "@/lib/db/client";

/** The Postgres channel event writes are announced on; see `encodeAnnouncements` for the payload. */
export const EVENTS_CHANNEL = "braid_events";

/** NOTIFY payloads must stay under 8,000 bytes; ids are ASCII (UUIDs), so characters = bytes. */
const MAX_PAYLOAD_CHARS = 7_900;

/** One announced write: the execution's last stored seq. */
export interface Announcement {
  executionId: string;
  lastSeq: number;
}

/** Announces stored events of many executions in a few NOTIFYs instead of one per write. */
export interface EventNotifier {
  /** Queues `executionId:lastSeq`; resolves once a NOTIFY carrying it (or a later seq) was sent. Never rejects. */
  announce(executionId: string, lastSeq: number): Promise<void>;
}

/**
 * Payloads of `pairs`: `id:seq` items joined by commas (`a:3,b:7`), each payload at most 7,900
 * characters. A single write's payload (`a:3`) is the one-item case.
 */
export function encodeAnnouncements(pairs: Iterable<Announcement>): string[] {
  const payloads: string[] = [];
  let current = "";
  for (const { executionId, lastSeq } of pairs) {
    const item = `${executionId}:${lastSeq}`;
    if (current && current.length + 1 + item.length > MAX_PAYLOAD_CHARS) {
      payloads.push(current);
      current = "";
    }
    current = current ? `${current},${item}` : item;
  }
  if (current) payloads.push(current);
  return payloads;
}

/** The announcements of a payload; items that do not parse are skipped. */
export function decodeAnnouncements(payload: string): Announcement[] {
  const out: Announcement[] = [];
  for (const item of payload.split(",")) {
    const colon = item.lastIndexOf(":");
    if (colon <= 0) continue;
    const lastSeq = Number(item.slice(colon + 1));
    if (Number.isSafeInteger(lastSeq)) out.push({ executionId: item.slice(0, colon), lastSeq });
  }
  return out;
}

/** Waits before retrying a failed NOTIFY (connection lost, server busy); then it is dropped. */
const RETRY_DELAYS_MS = [20, 100, 500];

/** Least time between the starts of two NOTIFY statements of one process under load. */
export const notifierTiming = { minIntervalMs: 2 };

const globalForNotifier = globalThis as unknown as {
  __braidEventNotifiers?: WeakMap<Database, EventNotifier>;
};
globalForNotifier.__braidEventNotifiers ??= new WeakMap();
const notifiers = globalForNotifier.__braidEventNotifiers;

/**
 * The process-wide notifier of a database. Postgres serializes the commits of notifying
 * transactions server-wide, so event writes commit without NOTIFY and this sends the wake-ups
 * afterwards, coalesced: at once when idle; while a NOTIFY is in flight, announcements gather
 * (the highest seq per execution) and go out together in one statement when it returns, at most
 * one statement per `minIntervalMs`. A NOTIFY always follows the commit of the rows it
 * announces; a failed one is retried a few times, and a lost one (crash in between) is covered by
 * the hub's safety poll.
 */
export function getEventNotifier(database: Database): EventNotifier {
  let notifier = notifiers.get(database);
  if (!notifier) {
    notifier = createEventNotifier(database);
    notifiers.set(database, notifier);
  }
  return notifier;
}

function createEventNotifier(database: Database): EventNotifier {
  let pending = new Map<string, number>();
  let waiters: (() => void)[] = [];
  let sending = false;
  let lastStart = 0;

  async function send(): Promise<void> {
    sending = true;
    try {
      while (pending.size > 0) {
        const wait = lastStart + notifierTiming.minIntervalMs - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const batch = pending;
        const done = waiters;
        pending = new Map();
        waiters = [];
        lastStart = performance.now();
        const payloads = encodeAnnouncements(
          [...batch].map(([executionId, lastSeq]) => ({ executionId, lastSeq })),
        );
        for (let attempt = 0; ; attempt++) {
          try {
            await query(
              database.db,
              sql`select pg_notify(${EVENTS_CHANNEL}, p) from jsonb_array_elements_text(${JSON.stringify(payloads)}::jsonb) as p`,
            );
            break;
          } catch (err) {
            const delay = RETRY_DELAYS_MS[attempt];
            if (delay === undefined) {
              console.error("events: NOTIFY failed (subscribers catch up on the safety poll):", err);
              break;
            }
            await new Promise((r) => setTimeout(r, delay));
          }
        }
        for (const resolve of done) resolve();
      }
    } finally {
      sending = false;
    }
  }

  return {
    announce(executionId, lastSeq) {
      if ((pending.get(executionId) ?? -1) < lastSeq) pending.set(executionId, lastSeq);
      const sent = new Promise<void>((resolve) => waiters.push(resolve));
      if (!sending) void send();
      return sent;
    },
  };
}
