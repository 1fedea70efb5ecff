import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as cancelRoute } from "@/app/api/executions/[id]/cancel/route";
import { POST as pauseRoute } from "@/app/api/executions/[id]/pause/route";
import { POST as resumeRoute } from "@/app/api/executions/[id]/resume/route";
import { POST as retryRoute } from "@/app/api/executions/[id]/retry/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { executionEvents, executions, nodeRuns } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { enqueueExecution } from "@/lib/queue/enqueue-execution";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { drainQueue } from "./drain";
import { startRun } from "./start-run";
import { httpChain, insertWorkflow, waitForStatus } from "./testing/fixtures";
import { type HitServer, startHitServer } from "./testing/hit-server";

const routes = { cancel: cancelRoute, pause: pauseRoute, resume: resumeRoute, retry: retryRoute };
const control = async (action: keyof typeof routes, id: string) => {
  const res = await routes[action](
    new Request(`http://localhost/api/executions/${id}/${action}`, { method: "POST" }),
    {
      params: Promise.resolve({ id }),
    },
  );
  return { status: res.status, body: await res.json() };
};

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("controls", () => {
  let database: Database;
  let server: HitServer;
  beforeAll(async () => {
    process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    server = await startHitServer();
  });
  afterAll(async () => {
    setDatabase(undefined);
    await server?.close();
    await database?.close();
  });

  async function queueChain(tag: string, slowMs = 200) {
    const definition = httpChain(server.url, tag, { slowMs, length: 4 });
    const workflowId = await insertWorkflow(database.db, definition);
    const id = `x-${tag}`;
    await enqueueExecution(database.db, {
      id,
      workflowId,
      workflowVersion: 1,
      status: "queued",
      mode: "queued",
      definition,
    });
    return { id, path: (node: string) => `/slow/${slowMs}/${tag}/${node}` };
  }
  const statusOf = async (id: string) =>
    (await database.db.select().from(executions).where(eq(executions.id, id)))[0]?.status;

  it("cancels a queued execution at once and announces it", async () => {
    const { id } = await queueChain("cq");
    const res = await control("cancel", id);
    expect(res).toEqual({ status: 200, body: { executionId: id, status: "cancelled", control: null } });
    expect(await statusOf(id)).toBe("cancelled");
    const events = await database.db
      .select()
      .from(executionEvents)
      .where(eq(executionEvents.executionId, id));
    expect(events.map((e) => [e.type, (e.payload as { status: string }).status])).toEqual([
      ["execution", "cancelled"],
    ]);
    expect((await control("cancel", id)).status).toBe(409);
  });

  it("pauses a running execution at a node boundary and resumes it without rerunning a node", async () => {
    const { id, path } = await queueChain("pr", 1500);
    const draining = drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });
    await until(() => server.count(path("h0")) === 1, "h0 to start");
    const paused = await control("pause", id);
    expect(paused.body).toEqual({ executionId: id, status: "running", control: "pause" });
    await waitForStatus(database.db, id, ["paused"]);
    await draining;
    const done = await database.db
      .select()
      .from(nodeRuns)
      .where(and(eq(nodeRuns.executionId, id), eq(nodeRuns.status, "succeeded")));
    expect(done.map((r) => r.nodeId).sort()).toEqual(["h0", "start"]);
    expect(server.count(path("h1"))).toBe(0);
    expect((await control("pause", id)).status).toBe(409);

    const resumed = await control("resume", id);
    expect(resumed.body.status).toBe("queued");
    await drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });
    expect((await waitForStatus(database.db, id)).status).toBe("succeeded");
    for (const node of ["h0", "h1", "h2", "h3"]) expect(server.count(path(node)), node).toBe(1);
  });

  it("cancels a running execution through its runner", async () => {
    // Nodes outlast the heartbeat (≤ 1 s), so the cancel lands while h1 still runs.
    const { id, path } = await queueChain("cr", 1500);
    const draining = drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });
    await until(() => server.count(path("h1")) === 1, "h1 to start");
    expect((await control("cancel", id)).body).toEqual({
      executionId: id,
      status: "running",
      control: "cancel",
    });
    const row = await waitForStatus(database.db, id, ["cancelled"]);
    await draining;
    expect(row.control).toBeNull();
    expect(server.count(path("h2"))).toBe(0);
    const runs = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, id));
    expect(runs.some((r) => r.status === "cancelled")).toBe(true);
  });

  it("retries a failed execution: failed nodes rerun, succeeded ones are reused", async () => {
    const definition: WorkflowDefinition = {
      version: 1,
      name: "flaky",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "ok", type: "http", config: { method: "GET", url: `${server.url}/retry/ok` } },
        { id: "flaky", type: "http", config: { method: "GET", url: `${server.url}/fail-once/flaky` } },
        { id: "out", type: "output", config: { value: "nodes.flaky.status" } },
      ],
      edges: [
        { source: "start", target: "ok" },
        { source: "ok", target: "flaky" },
        { source: "flaky", target: "out" },
      ],
    };
    const workflowId = await insertWorkflow(database.db, definition);
    const first = await startRun(database, workflowId, { mode: "immediate" });
    expect(first.body.status).toBe("failed");
    const id = first.body.executionId;
    expect((await control("resume", id)).status).toBe(409);
    const retried = await control("retry", id);
    expect(retried.body.status).toBe("queued");
    await drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });
    const row = await waitForStatus(database.db, id);
    expect(row.status).toBe("succeeded");
    expect(row.outputs).toEqual({ out: 200 });
    expect(server.count("/retry/ok")).toBe(1);
    expect(server.count("/fail-once/flaky")).toBe(2);
    expect((await control("retry", id)).body.error.code).toBe("invalid_state");
  });

  it("answers 404 for an unknown execution", async () => {
    for (const action of ["cancel", "pause", "resume", "retry"] as const) {
      const res = await control(action, "nope");
      expect(res.status, action).toBe(404);
    }
  });
});
