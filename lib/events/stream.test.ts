import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/executions/[id]/events/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import { hubStats } from "./hub";
import { createEventWriter, readEvents } from "./store";
import { eventStreamTiming } from "./stream";
import { createSimulatedRunner, type RunnerReply } from "./testing/runner-commands";
import { seedExecution } from "./testing/seed";
import { spawnRunner } from "./testing/spawn-runner";
import { readSse, type SseFrame } from "./testing/sse";

function get(id: string, options: { lastEventId?: number | string; signal?: AbortSignal } = {}) {
  const headers: Record<string, string> = {};
  if (options.lastEventId !== undefined) headers["last-event-id"] = String(options.lastEventId);
  const req = new Request(`http://127.0.0.1/api/executions/${id}/events`, {
    headers,
    signal: options.signal,
  });
  return GET(req, { params: Promise.resolve({ id }) });
}

/** Frames of one stream until the server ends it (or `stopWhen` says so, which disconnects). */
async function collect(res: Response, stopWhen?: (f: SseFrame) => boolean): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  if (!res.body) throw new Error("no body");
  for await (const frame of readSse(res.body)) {
    frames.push(frame);
    if (stopWhen?.(frame)) break;
  }
  return frames;
}

const events = (frames: SseFrame[]) => frames.filter((f) => f.event && f.event !== "snapshot");
const seqs = (frames: SseFrame[]) => events(frames).map((f) => Number(f.id));
const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

async function waitFor(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const idle = () => {
  const s = hubStats();
  return s.hubs === 0 && s.subscribers === 0 && s.listeners === 0 && s.timers === 0;
};

const kinds = (await postgresAvailable()) ? (["postgres", "pglite"] as const) : (["pglite"] as const);

describe.each(kinds)("SSE on %s", (kind) => {
  let database: Database;
  type Runner = { command(line: string): Promise<RunnerReply>; stop(): Promise<void> };
  const runners: Runner[] = [];

  /** A runner in another process on Postgres; in this process on PGlite (one process per PGlite). */
  function startRunner(id: string, fence?: number): Runner {
    const runner: Runner =
      database.kind === "postgres"
        ? spawnRunner(database.url, id, fence)
        : { command: createSimulatedRunner(database, id, fence), stop: async () => {} };
    runners.push(runner);
    return runner;
  }

  const listenConnections = async () => {
    if (database.kind !== "postgres") return 0;
    const rows = await query<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and application_name = 'braid-events'`,
    );
    return Number(rows[0]?.n);
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    setDatabase(database);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await waitFor(idle, "the hub to be released");
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database?.close();
  });

  it("every subscriber gets the snapshot, then every event in order, and the stream ends at the terminal event", async () => {
    const id = await seedExecution(database.db);
    const runner = startRunner(id, 1);
    const responses = await Promise.all([get(id), get(id), get(id)]);
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
      expect(res.headers.get("x-accel-buffering")).toBe("no");
      expect(res.headers.get("content-encoding")).toBeNull();
    }
    const collecting = responses.map((res) => collect(res));
    if (kind === "postgres")
      await waitFor(async () => (await listenConnections()) === 1, "one LISTEN connection");
    expect(hubStats()).toMatchObject({ subscribers: 3, channels: 1, listeners: kind === "postgres" ? 1 : 0 });
    await runner.command("emit 40");
    await runner.command("emit 20");
    expect((await runner.command("finish succeeded")).fenced).toBe(false);

    for (const frames of await Promise.all(collecting)) {
      const [snapshot] = frames;
      expect(snapshot?.event).toBe("snapshot");
      expect(snapshot?.id).toBe("0");
      expect(JSON.parse(snapshot?.data ?? "{}")).toMatchObject({ id, status: "running", eventSeq: 0 });
      expect(seqs(frames)).toEqual(range(1, 61));
      const last = events(frames).at(-1);
      expect(last?.event).toBe("execution");
      expect(JSON.parse(last?.data ?? "{}")).toMatchObject({ status: "succeeded" });
      const first = events(frames)[0];
      expect(first?.event).toBe("node");
      expect(JSON.parse(first?.data ?? "{}")).toMatchObject({ nodeId: "n0", status: "running", attempt: 1 });
    }
  });

  it("a subscriber that drops and resumes with Last-Event-ID during the run gets exactly the rest", async () => {
    const id = await seedExecution(database.db);
    const runner = startRunner(id, 1);
    const cuts = [5, 17, 42, 77];
    const seen: number[] = [];
    const snapshots: number[] = [];
    const subscriber = (async () => {
      let lastId: number | undefined;
      for (let round = 0; ; round++) {
        const controller = new AbortController();
        const res = await get(id, { lastEventId: lastId, signal: controller.signal });
        const cut = cuts[round];
        const frames = await collect(
          res,
          (f) => cut !== undefined && Number(f.id) >= cut && f.event !== "snapshot",
        );
        if (cut !== undefined) controller.abort();
        snapshots.push(Number(frames[0]?.id));
        expect(frames[0]?.event).toBe("snapshot");
        seen.push(...seqs(frames));
        lastId = seen.at(-1);
        if (cut === undefined) return;
      }
    })();
    await waitFor(() => hubStats().subscribers === 1, "the first subscription");
    for (let i = 0; i < 10; i++) await runner.command("emit 10");
    await runner.command("finish succeeded");
    await subscriber;
    expect(seen).toEqual(range(1, 101));
    expect(snapshots).toEqual([0, ...cuts]);
  });

  it("after the end, Last-Event-ID at any point yields exactly the rest and a late subscriber gets snapshot + terminal event", async () => {
    const id = await seedExecution(database.db);
    const runner = startRunner(id);
    await runner.command("emit 30");
    await runner.command("finish failed");

    for (const from of [0, 1, 15, 30, 31]) {
      const frames = await collect(await get(id, { lastEventId: from }));
      expect(frames[0]).toMatchObject({ event: "snapshot", id: String(from) });
      expect(seqs(frames)).toEqual(range(from + 1, 31));
    }
    const late = await collect(await get(id));
    expect(late.map((f) => f.event)).toEqual(["snapshot", "execution"]);
    expect(late[0]?.id).toBe("30");
    expect(JSON.parse(late[0]?.data ?? "{}")).toMatchObject({ status: "failed", eventSeq: 31 });
    expect(late[1]).toMatchObject({ id: "31" });
    expect(JSON.parse(late[1]?.data ?? "{}")).toMatchObject({ status: "failed" });
  });

  it("a terminal execution with no terminal event ends after the snapshot and what it already has", async () => {
    const id = await seedExecution(database.db, { status: "cancelled" });
    const bare = await collect(await get(id));
    expect(bare.map((f) => f.event)).toEqual(["snapshot"]);
    const writer = createEventWriter(database, id);
    for (let i = 0; i < 3; i++) writer.emit({ type: "log", at: "t", level: "warn", message: `m${i}` });
    await writer.flush();
    expect(seqs(await collect(await get(id, { lastEventId: 1 })))).toEqual([2, 3]);
    expect(seqs(await collect(await get(id)))).toEqual([]);
  });

  it("disconnects (abort or cancel) release every subscription, timer and LISTEN connection", async () => {
    const id = await seedExecution(database.db);
    const other = await seedExecution(database.db);
    const controllers = Array.from({ length: 15 }, () => new AbortController());
    const aborted = await Promise.all(
      controllers.map((c, i) => get(i % 2 ? id : other, { signal: c.signal })),
    );
    const cancelled = await Promise.all(Array.from({ length: 10 }, () => get(id)));
    const readers = [...aborted, ...cancelled].map((res) => res.body?.getReader());
    await Promise.all(readers.map((r) => r?.read()));
    expect(hubStats()).toMatchObject({ hubs: 1, channels: 2, subscribers: 25, timers: 1 });
    if (kind === "postgres") {
      await waitFor(async () => (await listenConnections()) === 1, "one LISTEN connection");
      expect(hubStats().listeners).toBe(1);
    } else {
      expect(hubStats().listeners).toBe(0);
    }

    for (const c of controllers) c.abort();
    await waitFor(() => hubStats().subscribers === 10, "aborted streams to leave");
    await Promise.all(readers.slice(15).map((r) => r?.cancel()));
    await waitFor(idle, "the hub to be released");
    await waitFor(async () => (await listenConnections()) === 0, "the LISTEN connection to close");
  });

  it("a stale runner (fence changed) writes nothing; the current one goes on", async () => {
    const id = await seedExecution(database.db, { fence: 1 });
    const stale = startRunner(id, 1);
    expect(await stale.command("emit 5")).toMatchObject({ fenced: false });
    await database.db.execute(sql`update executions set fence = 2 where id = ${id}`);
    expect(await stale.command("emit 5")).toMatchObject({ fenced: true });
    const current = startRunner(id, 2);
    const stream = collect(await get(id, { lastEventId: 0 }));
    await current.command("emit 3");
    await current.command("finish succeeded");
    const frames = await stream;
    expect(seqs(frames)).toEqual(range(1, 9));
    expect((await readEvents(database.db, id, 0)).length).toBe(9);
  });

  it("sends heartbeats and closes itself at the maximum duration; the client resumes from its last id", async () => {
    const saved = { ...eventStreamTiming };
    Object.assign(eventStreamTiming, { heartbeatMs: 40, maxDurationMs: 600 });
    try {
      const id = await seedExecution(database.db);
      const runner = startRunner(id);
      await runner.command("emit 2");
      const frames = await collect(await get(id, { lastEventId: 0 }));
      expect(frames.some((f) => f.comment === "heartbeat")).toBe(true);
      expect(seqs(frames)).toEqual([1, 2]);
      await runner.command("finish succeeded");
      const resumed = await collect(await get(id, { lastEventId: 2 }));
      expect(seqs(resumed)).toEqual([3]);
    } finally {
      Object.assign(eventStreamTiming, saved);
    }
  });

  it("drops a subscriber that stops reading once it is 8 MB behind; it can resume", async () => {
    const id = await seedExecution(database.db);
    const res = await get(id);
    const reader = res.body?.getReader();
    await reader?.read();
    const writer = createEventWriter(database, id);
    const big = "x".repeat(256 * 1024);
    for (let i = 0; i < 40; i++) writer.emit({ type: "log", at: "t", level: "info", message: big });
    await writer.flush();
    await waitFor(() => hubStats().subscribers === 0, "the slow subscriber to be dropped");
    let frames = 0;
    for (;;) {
      const { done, value } = (await reader?.read()) ?? { done: true };
      if (done) break;
      if (new TextDecoder().decode(value).startsWith("event: log")) frames++;
    }
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThan(40);
    const rest = await collect(await get(id, { lastEventId: frames }), (f) => Number(f.id) === 40);
    expect(seqs(rest)).toEqual(range(frames + 1, 40));
  });

  it.each([
    ["unknown execution", "ex_nope", undefined, 404, "not_found"],
    ["Last-Event-ID not a number", "seeded", "abc", 400, "invalid_last_event_id"],
    ["negative Last-Event-ID", "seeded", "-1", 400, "invalid_last_event_id"],
  ])("%s → %s JSON error", async (_name, which, lastEventId, status, code) => {
    const id = which === "seeded" ? await seedExecution(database.db) : which;
    const res = await get(id, { lastEventId });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
    expect(hubStats().subscribers).toBe(0);
  });
});
