import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";

/** The channel drain loops LISTEN on to learn that work was queued. */
export const QUEUE_CHANNEL = "braid_queue";

const inFlight = new WeakMap<Db, { again: boolean; done: Promise<void> }>();

/**
 * Wakes every listening drain loop (worker processes). Calls made while a notify is in flight
 * share one follow-up notify: Postgres serializes the commits of notifying transactions, so one
 * per round trip is all the channel (which carries no payload) needs.
 */
export function notifyQueue(db: Db): Promise<void> {
  const current = inFlight.get(db);
  if (current) {
    current.again = true;
    return current.done;
  }
  const state = { again: false, done: Promise.resolve() };
  state.done = (async () => {
    try {
      do {
        state.again = false;
        await db.execute(sql`select pg_notify(${QUEUE_CHANNEL}, '')`);
      } while (state.again);
    } finally {
      inFlight.delete(db);
    }
  })();
  inFlight.set(db, state);
  return state.done;
}
