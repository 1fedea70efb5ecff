import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executions, nodeRuns } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { enqueueExecution } from "@/lib/queue/enqueue-execution";
import { notifyQueue } from "@/lib/queue/notify-queue";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import { httpChain, insertWorkflow, waitForStatus } from "./testing/fixtures";
import { type HitServer, startHitServer } from "./testing/hit-server";
import { startWorker, type WorkerProcess } from "./testing/worker-process";

/** Postgres-only: skipped when it is unreachable (an error under CI=true). */
const enabled = await postgresAvailable();

describe("npm run worker (real Postgres)", () => {
  let database: Database;
  let server: HitServer;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    if (!enabled) return;
    process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
    resetEnv();
    database = await createTestDatabase("postgres");
    server = await startHitServer();
    if (database.kind !== "postgres") return;
    worker = await startWorker({
      DATABASE_URL: database.url,
      HTTP_ALLOW_PRIVATE_NETWORK: "true",
      WORKER_CONCURRENCY: "4",
    });
  });
  afterAll(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null)
      await Promise.race([worker.stop(), new Promise((r) => setTimeout(r, 10_000))]);
    await server?.close();
    await database?.close();
  });

  async function enqueue(tag: string, slowMs: number) {
    const definition = httpChain(server.url, tag, { slowMs, length: 3 });
    const workflowId = await insertWorkflow(database.db, definition);
    const id = `w-${tag}`;
    await enqueueExecution(database.db, {
      id,
      workflowId,
      workflowVersion: 1,
      status: "queued",
      mode: "queued",
      definition,
    });
    await notifyQueue(database.db);
    return id;
  }

  it.skipIf(!enabled)("runs work queued by another process", async () => {
    const id = await enqueue("fast", 1);
    expect((await waitForStatus(database.db, id)).status).toBe("succeeded");
  });

  it.skipIf(!enabled)(
    "on SIGTERM stops claiming, requeues its running execution with checkpoints, exits 0",
    async () => {
      const id = await enqueue("slow", 800);
      await waitForStatus(database.db, id, ["running"]);
      const end = Date.now() + 20_000;
      while (server.count("/slow/800/slow/h0") === 0 && Date.now() < end)
        await new Promise((r) => setTimeout(r, 10));
      const code = await worker!.stop();
      expect(code, worker!.output).toBe(0);
      const [row] = await database.db.select().from(executions).where(eq(executions.id, id));
      expect(row?.status).toBe("queued");
      expect(row?.leaseOwner).toBeNull();
      const runs = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, id));
      expect(runs.find((r) => r.nodeId === "h0")?.status).toBe("succeeded");
      expect(server.count("/slow/800/slow/h1")).toBe(0);
    },
  );
});
