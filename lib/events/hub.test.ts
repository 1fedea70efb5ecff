import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Database, query } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import { hubStats, subscribeToEvents } from "./hub";
import { createEventWriter, type StoredEvent } from "./store";
import { seedExecution } from "./testing/seed";

async function waitFor(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const log = (message: string) =>
  ({ type: "log", at: new Date().toISOString(), level: "info", message }) as const;

describe.skipIf(!(await postgresAvailable()))("event hub on Postgres", () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterEach(async () => {
    delete process.env.EVENTS_LISTEN;
    resetEnv();
    await waitFor(() => hubStats().hubs === 0, "the hub to close");
  });
  afterAll(async () => {
    await database?.close();
  });

  const listenBackends = () =>
    query<{ pid: number }>(
      database.db,
      sql`select pid from pg_stat_activity where datname = current_database() and application_name = 'braid-events'`,
    );

  it("many subscribers share one LISTEN connection and each gets every event once, in order", async () => {
    const a = await seedExecution(database.db);
    const b = await seedExecution(database.db);
    const got = new Map<number, number[]>();
    const stops = Array.from({ length: 50 }, (_, i) =>
      subscribeToEvents(database, i % 2 ? a : b, 0, (events: StoredEvent[]) => {
        got.set(i, [...(got.get(i) ?? []), ...events.map((e) => e.seq)]);
      }),
    );
    await waitFor(async () => (await listenBackends()).length === 1, "the LISTEN connection");
    const wa = createEventWriter(database, a);
    const wb = createEventWriter(database, b);
    for (let i = 0; i < 30; i++) {
      wa.emit(log(`a${i}`));
      if (i < 20) wb.emit(log(`b${i}`));
    }
    await Promise.all([wa.flush(), wb.flush()]);
    const full = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    await waitFor(() => [...got.entries()].every(([i, s]) => s.length === (i % 2 ? 30 : 20)), "every event");
    for (const [i, s] of got) expect(s).toEqual(full(i % 2 ? 30 : 20));
    expect((await listenBackends()).length).toBe(1);
    for (const stop of stops) stop();
    expect(hubStats()).toEqual({ hubs: 0, channels: 0, subscribers: 0, listeners: 0, timers: 0 });
    await waitFor(async () => (await listenBackends()).length === 0, "the LISTEN connection to close");
  });

  it("recovers from a lost LISTEN connection without missing an event", async () => {
    const id = await seedExecution(database.db);
    const seqs: number[] = [];
    const stop = subscribeToEvents(database, id, 0, (events) => seqs.push(...events.map((e) => e.seq)));
    await waitFor(async () => (await listenBackends()).length === 1, "the LISTEN connection");
    const writer = createEventWriter(database, id);
    writer.emit(log("before"));
    await writer.flush();
    await waitFor(() => seqs.length === 1, "the first event");
    const [backend] = await listenBackends();
    await database.db.execute(sql`select pg_terminate_backend(${backend?.pid}::int)`);
    for (let i = 0; i < 5; i++) writer.emit(log(`while reconnecting ${i}`));
    await writer.flush();
    await waitFor(() => seqs.length === 6, "the events written while the LISTEN connection was down");
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6]);
    await waitFor(async () => {
      const now = await listenBackends();
      return now.length === 1 && now[0]?.pid !== backend?.pid;
    }, "a new LISTEN connection");
    writer.emit(log("after"));
    await writer.flush();
    await waitFor(() => seqs.length === 7, "an event after the reconnect");
    stop();
  });

  it("with EVENTS_LISTEN=false polls the table and opens no LISTEN connection", async () => {
    process.env.EVENTS_LISTEN = "false";
    resetEnv();
    const id = await seedExecution(database.db);
    const seqs: number[] = [];
    const stop = subscribeToEvents(database, id, 0, (events) => seqs.push(...events.map((e) => e.seq)));
    const writer = createEventWriter(database, id);
    for (let i = 0; i < 3; i++) writer.emit(log(`m${i}`));
    await writer.flush();
    await waitFor(() => seqs.length === 3, "polled events");
    expect(seqs).toEqual([1, 2, 3]);
    expect(hubStats()).toMatchObject({ listeners: 0, timers: 1 });
    expect(await listenBackends()).toEqual([]);
    stop();
    expect(hubStats().timers).toBe(0);
  });
});
