import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as drainRoute } from "@/app/api/cron/drain/route";
import { type Database, openPostgres, query, setDatabase } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { enqueueExecution } from "@/lib/queue/enqueue-execution";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { drainQueue } from "./drain";
import { insertWorkflow, tinyWorkflow } from "./testing/fixtures";
import { type HitServer, startHitServer } from "./testing/hit-server";

/** Postgres-only: skipped when it is unreachable (an error under CI=true). */
const enabled = await postgresAvailable();

describe("8 drainers over 500 queued executions (real Postgres)", () => {
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

  it.skipIf(!enabled)("runs each execution exactly once", { timeout: 120_000 }, async () => {
    const definition: WorkflowDefinition = {
      version: 1,
      name: "count",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "hit", type: "http", config: { method: "GET", url: `${server.url}/run/{{ inputs.i }}` } },
      ],
      edges: [{ source: "start", target: "hit" }],
    };
    const workflowId = await insertWorkflow(database.db, definition);
    const total = 500;
    for (let i = 0; i < total; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          enqueueExecution(database.db, {
            id: `e${i + j}`,
            workflowId,
            workflowVersion: 1,
            status: "queued",
            mode: "queued",
            definition,
            inputs: { i: i + j },
          }),
        ),
      );
    }
    if (database.kind !== "postgres") throw new Error("postgres only");
    const url = database.url;
    const drainers = await Promise.all(Array.from({ length: 8 }, () => openPostgres(url, { max: 4 })));
    try {
      const results = await Promise.all(
        drainers.map((d) => drainQueue(d, { concurrency: 8, budgetMs: 100_000, pruneBatch: 0 })),
      );
      expect(results.reduce((n, r) => n + r.claimed, 0)).toBe(total);
      expect(results.reduce((n, r) => n + r.finished, 0)).toBe(total);
      expect(results.filter((r) => r.claimed > 0).length).toBeGreaterThan(1);
    } finally {
      await Promise.all(drainers.map((d) => d.close()));
    }
    let duplicates = 0;
    for (let i = 0; i < total; i++) {
      const hits = server.count(`/run/${i}`);
      expect(hits, `execution ${i}`).toBeGreaterThan(0);
      duplicates += hits - 1;
    }
    expect(duplicates).toBe(0);
    const [counts] = await query<{ succeeded: number; once: number }>(
      database.db,
      sql`select count(*) filter (where status = 'succeeded')::int as succeeded,
        count(*) filter (where claims = 1)::int as once from executions`,
    );
    expect(counts).toEqual({ succeeded: total, once: total });
  });
});

describe("drain route and queue order", () => {
  let database: Database;
  let workflowId: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    setDatabase(database);
    workflowId = await insertWorkflow(database.db, tinyWorkflow());
  });
  afterAll(async () => {
    delete process.env.CRON_SECRET;
    resetEnv();
    setDatabase(undefined);
    await database?.close();
  });

  const call = (auth?: string) =>
    drainRoute(
      new Request("http://localhost/api/cron/drain", { headers: auth ? { authorization: auth } : {} }),
      {} as never,
    );

  it("refuses everything while CRON_SECRET is unset", async () => {
    delete process.env.CRON_SECRET;
    resetEnv();
    expect((await call("Bearer anything")).status).toBe(401);
    expect((await call()).status).toBe(401);
  });

  it.each([undefined, "Bearer wrong", "bearer s3cret-value", "Basic s3cret-value", "Bearer s3cret-valuf"])(
    "answers 401 to authorization %s",
    async (auth) => {
      process.env.CRON_SECRET = "s3cret-value";
      resetEnv();
      const res = await call(auth);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    },
  );

  it("answers the counts with the right secret, drains highest priority first, leaves future work", async () => {
    process.env.CRON_SECRET = "s3cret-value";
    resetEnv();
    const definition = tinyWorkflow();
    for (const [id, priority] of [
      ["low", -5],
      ["high", 10],
      ["mid", 0],
    ] as const) {
      await enqueueExecution(database.db, {
        id,
        workflowId,
        workflowVersion: 1,
        status: "queued",
        mode: "queued",
        definition,
        priority,
        inputs: { n: 1 },
      });
    }
    await enqueueExecution(database.db, {
      id: "later",
      workflowId,
      workflowVersion: 1,
      status: "queued",
      mode: "queued",
      definition,
      runAfter: new Date(Date.now() + 3_600_000),
    });
    const first = await drainQueue(database, { concurrency: 1, pruneBatch: 0, budgetMs: 10_000 });
    expect(first).toEqual({ claimed: 3, finished: 3, requeued: 0 });
    const rows = await database.db
      .select({ id: executions.id, status: executions.status })
      .from(executions)
      .where(eq(executions.status, "succeeded"))
      .orderBy(executions.startedAt);
    expect(rows.map((r) => r.id)).toEqual(["high", "mid", "low"]);
    await enqueueExecution(database.db, {
      id: "now",
      workflowId,
      workflowVersion: 1,
      status: "queued",
      mode: "queued",
      definition,
      inputs: { n: 2 },
    });
    const res = await call("Bearer s3cret-value");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ claimed: 1, finished: 1, requeued: 0 });
    const [later] = await database.db.select().from(executions).where(eq(executions.id, "later"));
    expect(later?.status).toBe("queued");
  });
});
