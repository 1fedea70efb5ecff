import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, query } from "@/lib/db/client";
import { executionEvents, executions, nodeRuns } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { enqueueExecution } from "@/lib/queue/enqueue-execution";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { drainQueue } from "./drain";
import { httpChain, insertWorkflow } from "./testing/fixtures";
import { type HitServer, startHitServer } from "./testing/hit-server";
import { exited, spawnRunner } from "./testing/runner-process";

const LEASE_MS = 1500;
const SLOW_MS = 300;

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function leaseExpired(db: Database["db"], id: string): Promise<boolean> {
  const [row] = await query<{ expired: boolean }>(
    db,
    sql`select lease_expires_at < now() as expired from executions where id = ${id}`,
  );
  return row?.expired === true;
}

/** Postgres-only: skipped when it is unreachable (an error under CI=true). */
const enabled = await postgresAvailable();

describe("crash safety (real Postgres, runner in a child process)", () => {
  let database: Database;
  let server: HitServer;
  beforeAll(async () => {
    if (!enabled) return;
    process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
    resetEnv();
    database = await createTestDatabase("postgres");
    server = await startHitServer();
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  async function enqueueChain(tag: string) {
    const definition = httpChain(server.url, tag, { slowMs: SLOW_MS, length: 3 });
    const workflowId = await insertWorkflow(database.db, definition);
    const id = `exec-${tag}`;
    await enqueueExecution(database.db, {
      id,
      workflowId,
      workflowVersion: 1,
      status: "queued",
      mode: "queued",
      definition,
    });
    return id;
  }
  const hitPath = (tag: string, node: string) => `/slow/${SLOW_MS}/${tag}/${node}`;

  // Kill while node h<k> is in flight: h0…h<k-1> have succeeded and must never run again.
  it.skipIf(!enabled).each([0, 1, 2])(
    "SIGKILL while h%i runs: another drainer finishes, succeeded nodes never rerun",
    async (k) => {
      const tag = `kill${k}`;
      const id = await enqueueChain(tag);
      if (!("url" in database)) throw new Error("postgres only");
      const child = spawnRunner(database.url, LEASE_MS);
      await until(() => server.count(hitPath(tag, `h${k}`)) >= 1, `h${k} to start`);
      child.kill("SIGKILL");
      await exited(child);
      const before = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, id));
      const succeededBefore = before.filter((r) => r.status === "succeeded").map((r) => r.nodeId);
      for (let i = 0; i < k; i++) expect(succeededBefore).toContain(`h${i}`);

      await until(() => leaseExpired(database.db, id), "the lease to expire");
      const result = await drainQueue(database, { leaseMs: LEASE_MS, budgetMs: 20_000, pruneBatch: 0 });
      expect(result.claimed).toBe(1);
      const [row] = await database.db.select().from(executions).where(eq(executions.id, id));
      expect(row?.status).toBe("succeeded");
      expect(row?.claims).toBe(2);
      for (let i = 0; i < 3; i++) {
        const hits = server.count(hitPath(tag, `h${i}`));
        if (i === k) expect(hits).toBeLessThanOrEqual(2);
        else expect(hits).toBe(1);
      }
    },
  );

  it.skipIf(!enabled)("a stale runner (stalled past its lease, then resumed) changes no row", async () => {
    const tag = "stale";
    const id = await enqueueChain(tag);
    if (!("url" in database)) throw new Error("postgres only");
    const child = spawnRunner(database.url, LEASE_MS);
    await until(() => server.count(hitPath(tag, "h1")) >= 1, "h1 to start");
    child.kill("SIGSTOP");
    await until(() => leaseExpired(database.db, id), "the lease to expire");
    await drainQueue(database, { leaseMs: LEASE_MS, budgetMs: 20_000, pruneBatch: 0 });

    const snapshot = async () => ({
      execution: await database.db.select().from(executions).where(eq(executions.id, id)),
      nodes: await database.db
        .select()
        .from(nodeRuns)
        .where(eq(nodeRuns.executionId, id))
        .orderBy(nodeRuns.nodeId),
      events: await database.db
        .select()
        .from(executionEvents)
        .where(eq(executionEvents.executionId, id))
        .orderBy(executionEvents.seq),
    });
    const after = await snapshot();
    expect(after.execution[0]?.status).toBe("succeeded");
    const h2Hits = server.count(hitPath(tag, "h2"));

    child.kill("SIGCONT");
    await exited(child);
    expect(child.exitCode).toBe(0);
    expect(await snapshot()).toEqual(after);
    // The stale runner's h1 answer arrived after it lost the lease: it started nothing after it.
    expect(server.count(hitPath(tag, "h2"))).toBe(h2Hits);
  });

  /**
   * start → h0 → 10 × (delay, +1) → h1 → 10 × (delay, +1) → h2 → out: pure nodes between http
   * calls, whose checkpoints the runner does not wait for (the checkpoint rule).
   */
  function pureChain(tag: string): WorkflowDefinition {
    const nodes: WorkflowDefinition["nodes"] = [{ id: "start", type: "trigger", config: {} }];
    const edges: WorkflowDefinition["edges"] = [];
    let prev = "start";
    const add = (node: WorkflowDefinition["nodes"][number]) => {
      nodes.push(node);
      edges.push({ source: prev, target: node.id });
      prev = node.id;
    };
    for (const [k, seed] of [
      [0, "0"],
      [1, "nodes.a10 + 100"],
    ] as const) {
      add({ id: `h${k}`, type: "http", config: { method: "GET", url: `${server.url}/${tag}/h${k}` } });
      const letter = k === 0 ? "a" : "b";
      add({ id: `${letter}0`, type: "transform", config: { expression: seed } });
      for (let i = 1; i <= 10; i++) {
        add({ id: `${letter}d${i}`, type: "delay", config: { ms: 60 } });
        add({ id: `${letter}${i}`, type: "transform", config: { expression: "input + 1" } });
      }
    }
    add({ id: "h2", type: "http", config: { method: "GET", url: `${server.url}/${tag}/h2` } });
    add({ id: "out", type: "output", config: { value: "nodes.b10" } });
    return { version: 1, name: `pure ${tag}`, nodes, edges, settings: { mode: "queued" } };
  }

  it.skipIf(!enabled)(
    "SIGKILL in a chain of pure nodes: the resume succeeds, no http node is redone after its checkpoint",
    async () => {
      const tag = "pure";
      const definition = pureChain(tag);
      const workflowId = await insertWorkflow(database.db, definition);
      const id = "exec-pure";
      await enqueueExecution(database.db, {
        id,
        workflowId,
        workflowVersion: 1,
        status: "queued",
        mode: "queued",
        definition,
      });
      if (!("url" in database)) throw new Error("postgres only");
      const child = spawnRunner(database.url, LEASE_MS);
      // h1's checkpoint is committed: the pure chain after it is running (600 ms of delays).
      const h1Stored = async () =>
        (
          await query<{ n: number }>(
            database.db,
            sql`select count(*)::int as n from node_runs where execution_id = ${id} and node_id = 'h1' and status = 'succeeded'`,
          )
        )[0]?.n === 1;
      await until(h1Stored, "h1's checkpoint");
      child.kill("SIGKILL");
      await exited(child);
      expect(server.count(`/${tag}/h2`)).toBe(0);
      const before = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, id));
      const storedHttp = before.filter((r) => r.status === "succeeded" && r.nodeId.startsWith("h"));
      expect(storedHttp.map((r) => r.nodeId).sort()).toEqual(["h0", "h1"]);

      await until(() => leaseExpired(database.db, id), "the lease to expire");
      const result = await drainQueue(database, { leaseMs: LEASE_MS, budgetMs: 20_000, pruneBatch: 0 });
      expect(result.claimed).toBe(1);
      const [row] = await database.db.select().from(executions).where(eq(executions.id, id));
      expect(row?.status).toBe("succeeded");
      expect(row?.claims).toBe(2);
      expect(row?.outputs).toEqual({ out: 120 });
      for (const node of ["h0", "h1", "h2"]) expect(server.count(`/${tag}/${node}`), node).toBe(1);
    },
  );
});
