import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import { type FaultProxy, startFaultProxy } from "@/lib/db/testing/fault-proxy";
import { notifyQueue } from "@/lib/queue/notify-queue";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import { insertWorkflow, tinyWorkflow, waitForStatus } from "./testing/fixtures";
import { startWorker, type WorkerProcess } from "./testing/worker-process";

/**
 * postgres.js drops the promise of the array-types query each new connection opens with
 * (porsager/postgres#1192, #1223); a server that ends the connection at that moment (a restart)
 * made it an unhandled rejection, which killed the worker in CI. The proxy does that on purpose.
 */
describe.skipIf(testDbKind !== "postgres")("the worker through a connection ended as it opens", () => {
  let database: Database;
  let proxy: FaultProxy;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    if (database.kind !== "postgres") throw new Error("needs Postgres");
    proxy = await startFaultProxy(database.url);
    worker = await startWorker({ DATABASE_URL: proxy.url, WORKER_CONCURRENCY: "4" });
  });

  afterAll(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null)
      worker.child.kill("SIGKILL");
    await proxy?.close();
    await database?.close();
  });

  it("lives, logs the lost connection and runs what is queued next", async () => {
    const workflowId = await insertWorkflow(database.db, tinyWorkflow("reconnect"));
    const queue = async (id: string) => {
      await database.db.insert(executions).values({
        id,
        workflowId,
        workflowVersion: 1,
        status: "queued",
        mode: "queued",
        definition: tinyWorkflow("reconnect"),
        inputs: { n: 21 },
      });
      await notifyQueue(database.db);
    };
    await queue("before-drop");
    expect((await waitForStatus(database.db, "before-drop")).status).toBe("succeeded");

    // A restart: every connection ends, and the first ones the worker opens again are ended while
    // they fetch the array types.
    proxy.failTypeQueries(3);
    proxy.dropAll();
    const until = Date.now() + 20_000;
    while (proxy.failed === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(proxy.failed, worker!.output).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(worker!.child.exitCode, worker!.output).toBeNull();

    await queue("after-drop");
    const row = await waitForStatus(database.db, "after-drop", undefined, 30_000);
    expect(row.status).toBe("succeeded");
    expect(row.outputs).toEqual({ out: 42 });
    expect(worker!.child.exitCode, worker!.output).toBeNull();
    expect(worker!.output).toMatch(/database connection ended as it opened/);

    expect(await worker!.stop(), worker!.output).toBe(0);
  }, 90_000);
});
