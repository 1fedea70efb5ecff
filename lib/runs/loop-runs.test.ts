import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executions, nodeRuns } from "@/lib/db/schema";
import { type LocalHttpServer, sendJson, startLocalHttpServer } from "@/lib/engine/testing/local-http-server";
import { resetEnv } from "@/lib/env";
import type { LoopOutput } from "@/lib/nodes/loop/loop-node";
import { enqueueExecution } from "@/lib/queue/enqueue-execution";
import { retryExecution } from "@/lib/queue/retry-execution";
import { createTestDatabase, postgresAvailable, testDbKind } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { getWorkflowOrThrow } from "@/lib/workflow/validate";
import { drainQueue } from "./drain";
import { getExecutionDetail, getExecutionIteration } from "./get-execution";
import { runNodeOfWorkflow } from "./run-single-node";
import { getSharedIteration } from "./share-redaction";
import { shareExecution } from "./shares";
import { startRun } from "./start-run";
import { insertWorkflow, waitForStatus } from "./testing/fixtures";
import { exited, spawnRunner } from "./testing/runner-process";

/** Requests per item value; items listed in `failing` answer 500 until removed. */
let server: LocalHttpServer;
const requests = new Map<string, number>();
const failing = new Set<string>();
let database: Database;

beforeAll(async () => {
  process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
  resetEnv();
  database = await createTestDatabase();
  server = await startLocalHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const v = url.searchParams.get("v") ?? "";
    requests.set(v, (requests.get(v) ?? 0) + 1);
    const ms = Number(url.searchParams.get("ms") ?? 0);
    if (ms) await new Promise((r) => setTimeout(r, ms));
    if (failing.has(v)) sendJson(res, 500, { error: "bad item" });
    else sendJson(res, 200, { v });
  });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

function loopWorkflow(tag: string, options: { onItemError: string; ms?: number; concurrency?: number }) {
  return getWorkflowOrThrow({
    version: 1,
    name: `loop ${tag}`,
    nodes: [
      { id: "start", type: "trigger", config: {} },
      {
        id: "each",
        type: "loop",
        config: {
          items: "inputs.items",
          onItemError: options.onItemError,
          concurrency: options.concurrency ?? 4,
        },
      },
      {
        id: "call",
        type: "http",
        parentId: "each",
        config: { method: "GET", url: `${server.url}/item?v={{ $item }}&ms=${options.ms ?? 0}` },
      },
      { id: "pick", type: "transform", parentId: "each", config: { expression: "input.body.v" } },
      { id: "out", type: "output", config: { value: "input.results" } },
    ],
    edges: [
      { source: "start", target: "each" },
      { source: "call", target: "pick" },
      { source: "each", target: "out" },
    ],
  });
}

async function enqueue(tag: string, definition: WorkflowDefinition, items: string[]) {
  const workflowId = await insertWorkflow(database.db, definition);
  const id = `exec-loop-${tag}-${testDbKind}`;
  await enqueueExecution(database.db, {
    id,
    workflowId,
    workflowVersion: 1,
    status: "queued",
    mode: "queued",
    definition,
    inputs: { items },
  });
  return { id, workflowId };
}

describe(`loop runs through the runner (${testDbKind})`, () => {
  it("keeps per-item checkpoints out of the node list, shows one item, and retries only the failed items", async () => {
    const items = ["c0", "c1", "c2", "c3", "c4"];
    failing.add("c1");
    failing.add("c3");
    const { id, workflowId } = await enqueue(
      "retry",
      loopWorkflow("retry", { onItemError: "continue" }),
      items,
    );
    await drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });

    const detail = (await getExecutionDetail(database.db, id))!;
    expect(detail.status).toBe("succeeded");
    expect(Object.keys(detail.nodes).sort()).toEqual(["each", "out", "start"]);
    expect(detail.nodes.each?.failedItems).toEqual([1, 3]);
    expect(detail.outputs?.out).toEqual(["c0", null, "c2", null, "c4"]);
    const item3 = (await getExecutionIteration(database.db, id, [3]))!;
    expect(item3.nodes.call?.status).toBe("failed");
    expect(item3.nodes.pick).toBeUndefined();
    const item2 = (await getExecutionIteration(database.db, id, [2]))!;
    expect(item2.nodes.pick?.output).toBe("c2");
    expect(item2.nodes.call?.input).toBe("c2");
    // A share link reads the same item through its token; an unknown token reads nothing.
    const { token } = await shareExecution(database.db, id);
    expect((await getSharedIteration(database, token, [2]))?.nodes.pick?.output).toBe("c2");
    expect(await getSharedIteration(database, "no-such-token", [2])).toBeUndefined();

    // The outside world recovers; retry re-runs items 1 and 3 only, and what used their results.
    failing.clear();
    for (const v of items) requests.set(v, 0);
    const retried = await retryExecution(database.db, id);
    expect(retried?.changed).toBe(true);
    await drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });
    const after = (await getExecutionDetail(database.db, id))!;
    expect(after.status).toBe("succeeded");
    expect(after.outputs?.out).toEqual(items);
    expect((after.nodes.each!.output as LoopOutput).errors).toEqual([]);
    expect(after.nodes.each?.failedItems).toBeUndefined();
    expect(Object.fromEntries(requests)).toMatchObject({ c0: 0, c1: 1, c2: 0, c3: 1, c4: 0 });

    // Nothing left to retry: a clean succeeded execution is not retried.
    expect((await retryExecution(database.db, id))?.changed).toBe(false);

    // Play on a body node runs it for one item: the first by default, or the one asked for.
    const first = await runNodeOfWorkflow(database, workflowId, "pick", {});
    expect(first).toMatchObject({ status: "succeeded", output: "c0" });
    const third = await runNodeOfWorkflow(database, workflowId, "call", { iteration: [2] });
    expect(third).toMatchObject({ status: "succeeded", output: { status: 200, body: { v: "c2" } } });
    expect(requests.get("c2")).toBe(1);
    const given = await runNodeOfWorkflow(database, workflowId, "call", {
      input: "zz",
      item: "zz",
      iteration: [9],
    });
    expect(given).toMatchObject({ status: "succeeded", output: { body: { v: "zz" } } });
    await expect(runNodeOfWorkflow(database, workflowId, "pick", { iteration: [50] })).rejects.toMatchObject({
      status: 422,
      code: "no_input",
    });
  });

  it("under fail, fails the execution at the first failed item; retry runs the failed and never-run items", async () => {
    const items = ["f0", "f1", "f2", "f3", "f4", "f5"];
    failing.add("f2");
    const { id } = await enqueue(
      "fail",
      loopWorkflow("fail", { onItemError: "fail", concurrency: 1 }),
      items,
    );
    await drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });
    const detail = (await getExecutionDetail(database.db, id))!;
    expect(detail.status).toBe("failed");
    expect(detail.error).toMatchObject({ nodeId: "each" });
    expect(detail.error?.message).toMatch(/item 2 failed/);
    expect(detail.nodes.each?.failedItems).toEqual([2]);
    expect(detail.nodes.out?.status).toBe("pending");

    failing.clear();
    for (const v of items) requests.set(v, 0);
    expect((await retryExecution(database.db, id))?.changed).toBe(true);
    await drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });
    const after = (await getExecutionDetail(database.db, id))!;
    expect(after.status).toBe("succeeded");
    expect(after.outputs?.out).toEqual(items);
    expect(Object.fromEntries(requests)).toMatchObject({ f0: 0, f1: 0, f2: 1, f3: 1, f4: 1, f5: 1 });
  });
});

describe(`loop hand-off (${testDbKind})`, () => {
  it("an immediate run whose loop outgrows the budget hands off mid-loop; the queue finishes it, no item twice", async () => {
    process.env.IMMEDIATE_BUDGET_MS = "400";
    resetEnv();
    try {
      const items = Array.from({ length: 12 }, (_, i) => `h${i}`);
      const definition = loopWorkflow("handoff", { onItemError: "fail", ms: 100, concurrency: 2 });
      const workflowId = await insertWorkflow(database.db, definition);
      const res = await startRun(database, workflowId, { mode: "immediate", inputs: { items } });
      expect(res.httpStatus).toBe(202);
      expect(res.body).toMatchObject({ status: "queued", handedOff: true });
      const id = res.body.executionId;
      const partial = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, id));
      const doneBefore = partial.filter((r) => r.nodeId.startsWith("call#") && r.status === "succeeded");
      expect(doneBefore.length).toBeGreaterThan(0);
      expect(doneBefore.length).toBeLessThan(items.length);
      await drainQueue(database, { budgetMs: 20_000, pruneBatch: 0 });
      // On PGlite the process's own embedded drainer may be the one that claims it.
      await waitForStatus(database.db, id);
      const detail = (await getExecutionDetail(database.db, id))!;
      expect(detail.status).toBe("succeeded");
      expect(detail.outputs?.out).toEqual(items);
      for (const v of items) expect(requests.get(v), v).toBe(1);
    } finally {
      delete process.env.IMMEDIATE_BUDGET_MS;
      resetEnv();
    }
  });
});

const LEASE_MS = 1500;
const pgEnabled = testDbKind === "postgres" && (await postgresAvailable());

describe("loop crash safety (real Postgres, runner in a child process)", () => {
  it.skipIf(!pgEnabled)("a SIGKILL mid-loop, then resume: no finished item runs twice", async () => {
    if (!("url" in database)) throw new Error("postgres only");
    const items = Array.from({ length: 30 }, (_, i) => `k${i}`);
    const { id } = await enqueue(
      "kill",
      loopWorkflow("kill", { onItemError: "fail", ms: 40, concurrency: 3 }),
      items,
    );
    const child = spawnRunner(database.url, LEASE_MS);
    const until = async (check: () => boolean | Promise<boolean>, what: string) => {
      const end = Date.now() + 60_000;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const total = () => items.reduce((n, v) => n + (requests.get(v) ?? 0), 0);
    await until(() => total() >= 10, "10 items to be requested");
    child.kill("SIGKILL");
    await exited(child);

    const before = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, id));
    const finishedItems = before
      .filter((r) => r.nodeId.startsWith("call#") && r.status === "succeeded")
      .map((r) => items[Number(r.nodeId.slice("call#".length))]!);
    expect(finishedItems.length).toBeGreaterThan(0);
    expect(finishedItems.length).toBeLessThan(items.length);

    await new Promise((r) => setTimeout(r, LEASE_MS + 200));
    const result = await drainQueue(database, { leaseMs: LEASE_MS, budgetMs: 30_000, pruneBatch: 0 });
    expect(result.claimed).toBe(1);
    const [row] = await database.db.select().from(executions).where(eq(executions.id, id));
    expect(row?.status).toBe("succeeded");
    expect(row?.outputs).toEqual({ out: items });
    for (const v of finishedItems) expect(requests.get(v)).toBe(1);
    for (const v of items) expect(requests.get(v)).toBeGreaterThanOrEqual(1);
  });
});
