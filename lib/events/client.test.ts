import { EventSource } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/executions/[id]/events/route";
import type { ExecutionDetail } from "@/lib/contract/execution";
import type { ExecutionStatus } from "@/lib/contract/status";
import { type Database, setDatabase } from "@/lib/db/client";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import { subscribeToExecution } from "./client";
import { hubStats } from "./hub";
import { eventStreamTiming } from "./stream";
import { createSimulatedRunner } from "./testing/runner-commands";
import { seedExecution } from "./testing/seed";
import { serveEventsRoute } from "./testing/serve-route";

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!(await postgresAvailable()))("subscribeToExecution (browser helper) over real HTTP", () => {
  let database: Database;
  let server: Awaited<ReturnType<typeof serveEventsRoute>>;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    setDatabase(database);
    server = await serveEventsRoute(GET);
  });
  afterAll(async () => {
    await server?.close();
    setDatabase(undefined);
    await database?.close();
  });

  function follow(id: string) {
    const got = {
      snapshots: [] as ExecutionDetail[],
      seqs: [] as number[],
      types: [] as string[],
      statuses: [] as ExecutionStatus[],
      /** Snapshots (as their eventSeq, negated) and events (seq) in arrival order. */
      order: [] as number[],
    };
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const record = (type: string) => (_e: unknown, seq: number) => {
      got.seqs.push(seq);
      got.types.push(type);
      got.order.push(seq);
    };
    const stop = subscribeToExecution(
      id,
      {
        onSnapshot: (s) => {
          got.snapshots.push(s);
          got.order.push(-s.eventSeq);
        },
        onNode: record("node"),
        onLog: record("log"),
        onExecution: (e, seq) => {
          record("execution")(e, seq);
          got.statuses.push(e.status);
          if (e.status === "succeeded") resolveDone();
        },
      },
      { baseUrl: server.url, EventSource: EventSource as unknown as typeof globalThis.EventSource },
    );
    return { got, done, stop };
  }

  it("follows a run across server-side closes, in order, and stops after the terminal event", async () => {
    const saved = { ...eventStreamTiming };
    eventStreamTiming.maxDurationMs = 1_000;
    try {
      const id = await seedExecution(database.db);
      const run = createSimulatedRunner(database, id);
      const { got, done } = follow(id);
      await waitFor(() => got.snapshots.length === 1, "the snapshot");
      for (let i = 0; i < 6; i++) {
        await run("emit 5");
        await new Promise((r) => setTimeout(r, 400));
      }
      await run("finish succeeded");
      await done;
      // Gap-free and duplicate-free: every event follows the state the client already has. One
      // exception, by design: the terminal event is passed on even when the snapshot before it
      // already covers it (a server-side close as the run finished: the reconnect's snapshot is
      // terminal), so a follower always sees how the run ended.
      let state = 0;
      for (const [i, item] of got.order.entries()) {
        if (item <= 0) state = Math.max(state, -item);
        else if (item === state && i === got.order.length - 1 && got.order[i - 1] === -item) continue;
        else {
          expect(item).toBe(state + 1);
          state = item;
        }
      }
      expect(state).toBe(31);
      expect(got.seqs.at(-1)).toBe(31);
      expect(got.types.at(-1)).toBe("execution");
      expect(got.snapshots.length).toBeGreaterThan(1);
      await waitFor(() => hubStats().subscribers === 0, "the stream to be released");
    } finally {
      Object.assign(eventStreamTiming, saved);
    }
  });

  it("on a finished execution: snapshot and terminal event, then no reconnect", async () => {
    const id = await seedExecution(database.db);
    const run = createSimulatedRunner(database, id);
    await run("emit 4");
    await run("finish succeeded");
    const { got, done } = follow(id);
    await done;
    expect(got.snapshots.map((s) => s.status)).toEqual(["succeeded"]);
    expect(got.seqs).toEqual([5]);
    await waitFor(() => hubStats().subscribers === 0, "the stream to be released");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(got.snapshots.length).toBe(1);
  });
});
