import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineEvent } from "@/lib/contract/events";
import type { Database } from "@/lib/db/client";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import { hubStats, hubTiming, subscribeToEvents } from "./hub";
import { decodeAnnouncements, EVENTS_CHANNEL, encodeAnnouncements, getEventNotifier } from "./notifier";
import { createEventWriter } from "./store";
import { seedExecution } from "./testing/seed";

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const log = (message: string): EngineEvent => ({
  type: "log",
  at: new Date().toISOString(),
  level: "info",
  message,
});

describe("announcement payloads", () => {
  it("round-trip many executions and split below the NOTIFY payload limit", () => {
    const pairs = Array.from({ length: 600 }, (_, i) => ({
      executionId: `0190c6a2-7b1e-7c4d-9f00-${String(i).padStart(12, "0")}`,
      lastSeq: i * 7 + 1,
    }));
    const payloads = encodeAnnouncements(pairs);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(payloads.flatMap(decodeAnnouncements)).toEqual(pairs);
  });

  it("reads the single-write form and skips items that do not parse", () => {
    expect(decodeAnnouncements("ex_1:5")).toEqual([{ executionId: "ex_1", lastSeq: 5 }]);
    expect(decodeAnnouncements("a:1,:2,b,c:x,d:4")).toEqual([
      { executionId: "a", lastSeq: 1 },
      { executionId: "d", lastSeq: 4 },
    ]);
  });
});

describe.skipIf(!(await postgresAvailable()))("coalesced NOTIFY on Postgres", () => {
  let database: Database;
  const received: string[] = [];
  let unlisten: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    if (database.kind !== "postgres") throw new Error("expected Postgres");
    const sub = await database.client.listen(EVENTS_CHANNEL, (payload) => received.push(payload));
    unlisten = () => sub.unlisten();
  });
  afterAll(async () => {
    await unlisten?.();
    await database?.close();
  });

  it("announcements made while a NOTIFY is in flight go out together in one, carrying all of them", async () => {
    received.length = 0;
    const notifier = getEventNotifier(database);
    const ids = Array.from({ length: 100 }, (_, i) => `burst_${i}`);
    await Promise.all(ids.map((id, i) => notifier.announce(id, i + 1)));
    await waitFor(() => received.flatMap(decodeAnnouncements).length >= 100, "every announcement");
    // The first goes out at once, alone; the 99 made meanwhile share the next statement.
    expect(received.length).toBe(2);
    expect(decodeAnnouncements(received[0] ?? "")).toEqual([{ executionId: "burst_0", lastSeq: 1 }]);
    expect(received.flatMap(decodeAnnouncements)).toEqual(
      ids.map((executionId, i) => ({ executionId, lastSeq: i + 1 })),
    );
  });

  it("keeps the highest seq of an execution announced twice before the send", async () => {
    received.length = 0;
    const notifier = getEventNotifier(database);
    const first = notifier.announce("held", 1);
    await Promise.all([
      first,
      notifier.announce("twice", 3),
      notifier.announce("twice", 9),
      notifier.announce("twice", 4),
    ]);
    await waitFor(() => received.length >= 2, "both notifications");
    expect(received.flatMap(decodeAnnouncements)).toEqual([
      { executionId: "held", lastSeq: 1 },
      { executionId: "twice", lastSeq: 9 },
    ]);
  });

  it("a burst of writes for many executions wakes every subscriber with every event", async () => {
    received.length = 0;
    // No safety poll to fall back on: only the notifications can deliver.
    const safetyPollMs = hubTiming.safetyPollMs;
    hubTiming.safetyPollMs = 600_000;
    const ids = await Promise.all(Array.from({ length: 40 }, () => seedExecution(database.db)));
    const got = new Map<string, number[]>();
    const stops = ids.flatMap((id) =>
      [0, 1].map((k) =>
        subscribeToEvents(database, id, 0, (events) => {
          const key = `${id}/${k}`;
          got.set(key, [...(got.get(key) ?? []), ...events.map((e) => e.seq)]);
        }),
      ),
    );
    await waitFor(() => hubStats().listeners === 1, "the LISTEN connection");
    // Let the subscriptions' initial reads settle so that only NOTIFY can deliver what follows.
    await new Promise((r) => setTimeout(r, 200));
    const writers = ids.map((id) => createEventWriter(database, id));
    for (let round = 0; round < 3; round++) {
      for (const [i, writer] of writers.entries()) writer.emit(log(`${ids[i]} ${round}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(writers.map((w) => w.flush()));
    await waitFor(
      () => ids.every((id) => [0, 1].every((k) => (got.get(`${id}/${k}`) ?? []).length === 3)),
      "every subscriber to get its 3 events",
    );
    for (const id of ids) for (const k of [0, 1]) expect(got.get(`${id}/${k}`)).toEqual([1, 2, 3]);
    // A subscriber may have read seq 3 on an earlier wake-up; the announcement of 3 still comes.
    const announcedLast = () => {
      const seen = new Set(
        received
          .flatMap(decodeAnnouncements)
          .filter((a) => a.lastSeq === 3)
          .map((a) => a.executionId),
      );
      return ids.every((id) => seen.has(id));
    };
    await waitFor(announcedLast, "every execution's last seq to be announced");
    expect(announcedLast()).toBe(true);
    for (const stop of stops) stop();
    hubTiming.safetyPollMs = safetyPollMs;
  });
});
