import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getWorkflowRoute } from "@/app/api/workflows/[id]/route";
import { type Database, openPostgres, query, setDatabase } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { notifyQueue } from "@/lib/queue/notify-queue";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { insertWorkflow } from "./testing/fixtures";
import { type HitServer, startHitServer } from "./testing/hit-server";
import { postgresBinDir, startTempCluster, type TempCluster } from "./testing/temp-cluster";
import { startWorker, type WorkerProcess } from "./testing/worker-process";

const RUNS = 200;

/** Needs the Postgres binaries to create a cluster of its own (skipped without them). */
const enabled = postgresBinDir() !== undefined;

/** trigger → http h0 → http h1 → output, each call on a path of its own per run (`inputs.n`). */
function chain(base: string): WorkflowDefinition {
  return {
    version: 1,
    name: "db restart",
    nodes: [
      { id: "start", type: "trigger", config: {} },
      { id: "h0", type: "http", config: { method: "GET", url: `${base}/slow/20/r/{{ inputs.n }}/h0` } },
      { id: "h1", type: "http", config: { method: "GET", url: `${base}/slow/20/r/{{ inputs.n }}/h1` } },
      { id: "out", type: "output", config: { value: "nodes.h1.body.path" } },
    ],
    edges: [
      { source: "start", target: "h0" },
      { source: "h0", target: "h1" },
      { source: "h1", target: "out" },
    ],
    settings: { mode: "queued" },
  };
}

describe("database restarts during queued runs (a cluster of its own)", () => {
  let cluster: TempCluster;
  let database: Database;
  let server: HitServer;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    if (!enabled) return;
    process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
    resetEnv();
    cluster = await startTempCluster();
    database = await openPostgres(cluster.url, { max: 4, migrate: true });
    setDatabase(database);
    server = await startHitServer();
    worker = await startWorker({
      DATABASE_URL: cluster.url,
      HTTP_ALLOW_PRIVATE_NETWORK: "true",
      WORKER_CONCURRENCY: "16",
    });
  }, 60_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null)
      worker.child.kill("SIGKILL");
    setDatabase(undefined);
    await server?.close();
    await database?.close().catch(() => {});
    cluster?.destroy();
  });

  /** Counts of executions by status; undefined while the database is unreachable. */
  async function statuses(): Promise<Record<string, number> | undefined> {
    try {
      const rows = await query<{ status: string; n: number }>(
        database.db,
        sql`select status, count(*)::int as n from executions group by status`,
      );
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    } catch {
      return undefined;
    }
  }

  async function waitUntil(test: (s: Record<string, number>) => boolean, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = await statuses();
      if (s && test(s)) return;
      if (Date.now() > end)
        throw new Error(`timed out; statuses ${JSON.stringify(s)}; worker output:\n${worker?.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it.skipIf(!enabled)(
    "no execution fails, the worker lives, every run finishes once; the API answers 503 while down",
    async () => {
      const definition = chain(server.url);
      const workflowId = await insertWorkflow(database.db, definition);
      await database.db.insert(executions).values(
        Array.from({ length: RUNS }, (_, n) => ({
          id: `run-${n}`,
          workflowId,
          workflowVersion: 1,
          status: "queued",
          mode: "queued",
          definition,
          inputs: { n },
        })),
      );
      await notifyQueue(database.db);

      const answers: number[] = [];
      for (const threshold of [40, 110]) {
        await waitUntil((s) => (s.succeeded ?? 0) >= threshold, 120_000);
        cluster.stop();
        const res = await getWorkflowRoute(new Request(`http://localhost/api/workflows/${workflowId}`), {
          params: Promise.resolve({ id: workflowId }),
        });
        answers.push(res.status);
        expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
        expect((await res.json()).error.code).toBe("unavailable");
        await new Promise((r) => setTimeout(r, 1500));
        cluster.start();
        expect(worker!.child.exitCode, worker!.output).toBeNull();
      }
      expect(answers).toEqual([503, 503]);

      await waitUntil((s) => (s.succeeded ?? 0) + (s.failed ?? 0) + (s.cancelled ?? 0) >= RUNS, 180_000);
      expect(await statuses()).toEqual({ succeeded: RUNS });
      expect(worker!.child.exitCode, worker!.output).toBeNull();
      expect(worker!.child.signalCode).toBeNull();
      for (let n = 0; n < RUNS; n++) {
        expect(server.count(`/slow/20/r/${n}/h0`), `run ${n} h0`).toBe(1);
        expect(server.count(`/slow/20/r/${n}/h1`), `run ${n} h1`).toBe(1);
      }
      const res = await getWorkflowRoute(new Request(`http://localhost/api/workflows/${workflowId}`), {
        params: Promise.resolve({ id: workflowId }),
      });
      expect(res.status).toBe(200);

      expect(await worker!.stop(), worker!.output).toBe(0);
    },
    400_000,
  );
});
