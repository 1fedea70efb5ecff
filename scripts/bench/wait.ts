/**
 * Benchmark, durable waits (issue 15) and sub-workflows (issue 13), on real Postgres (a scratch
 * database created and dropped here), with a worker loop (`runDrainLoop`, LISTEN + poll) running
 * in this process as a self-hosted worker would:
 *  1. resume request → next node started, p50 and p95 (target: p95 ≤ 100 ms);
 *  2. 10,000 executions waiting at once: this process's heap before and after (target ≤ 20 MB of
 *     growth) and runner slots held (executions `running`, runs in flight; target 0);
 *  3. a timer's lateness at wake-up (resolved − due), p95, with the worker loop running;
 *  4. the overhead of a `workflow` node over running the child's nodes inline: immediate (target
 *     ≤ 5 ms, medians of interleaved runs) and queued (child enqueued → the parent's next node
 *     started, p50; target ≤ 50 ms).
 *
 * Run: npm run bench -- wait   (TEST_DATABASE_URL overrides the server)
 */

import { createScratchDatabase } from "./scratch-db";

process.env.IMMEDIATE_BUDGET_MS ??= "60000";
const { sql } = await import("drizzle-orm");
const { openPostgres, setDatabase, query } = await import("@/lib/db/client");
const { workflows } = await import("@/lib/db/schema");
const { startRun } = await import("@/lib/runs/start-run");
const { runDrainLoop } = await import("@/lib/runs/drain-loop");
const { drainQueue } = await import("@/lib/runs/drain");
const { resumeByToken, waitToken, waitTokenKey } = await import("@/lib/runs/waits");
type WorkflowDefinition = import("@/lib/workflow/schema").WorkflowDefinition;

const WAITING = Number(process.env.BENCH_WAITING ?? 10_000);
const scratch = await createScratchDatabase("wait");
const { url } = scratch;
const database = await openPostgres(url, { max: 10, migrate: true });
setDatabase(database);
const db = database.db;

const trigger = { id: "start", type: "trigger" as const, config: {} };
const def = (n: string, nodes: WorkflowDefinition["nodes"], chain: string[]): WorkflowDefinition => ({
  version: 1,
  name: n,
  nodes: [trigger, ...nodes],
  edges: chain.slice(1).map((target, i) => ({ source: chain[i]!, target })),
});
let seq = 0;
async function store(d: WorkflowDefinition): Promise<string> {
  const id = `w-${++seq}`;
  await db.insert(workflows).values({ id, name: d.name, definition: d });
  await query(
    db,
    sql`insert into workflow_versions (workflow_id, version, definition) values (${id}, 1, ${JSON.stringify(d)}::jsonb)`,
  );
  return id;
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const median = (xs: number[]) => pct(xs, 0.5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rows: { metric: string; value: string; target: string; verdict: string }[] = [];
async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(2);
  }
}
const statusOf = async (id: string) =>
  (await query<{ status: string }>(db, sql`select status from executions where id = ${id}`))[0]?.status;

const stop = new AbortController();
let worker: Promise<unknown> | undefined;
try {
  const waitWf = await store(
    def(
      "webhook wait",
      [
        { id: "w", type: "wait", config: { for: "webhook" } },
        { id: "after", type: "transform", config: { expression: "1" } },
      ],
      ["start", "w", "after"],
    ),
  );
  worker = runDrainLoop(database, { stopSignal: stop.signal, concurrency: 16, pollMs: 1000 });

  // 1. Resume → next node started.
  const key = await waitTokenKey(db);
  const latencies: number[] = [];
  for (let i = 0; i < 60; i++) {
    const res = await startRun(database, waitWf, { mode: "queued" });
    const id = res.body.executionId as string;
    await until(async () => ((await statusOf(id)) === "waiting" ? true : undefined), "waiting");
    const t0 = Date.now();
    await resumeByToken(database, waitToken(key, id, "w"), { i });
    const started = await until(async () => {
      const [r] = await query<{ started_at: Date | string | null }>(
        db,
        sql`select started_at from node_runs where execution_id = ${id} and node_id = 'after'`,
      );
      return r?.started_at ? new Date(r.started_at).getTime() : undefined;
    }, "the next node");
    if (i >= 10) latencies.push(started - t0);
  }
  const p95 = pct(latencies, 0.95);
  rows.push({
    metric: `resume request → next node started (${latencies.length} resumes, worker loop)`,
    value: `p50 ${median(latencies)} ms, p95 ${p95} ms`,
    target: "p95 ≤ 100 ms",
    verdict: p95 <= 100 ? "PASS" : "MISS",
  });

  // 2. Many executions waiting at once.
  stop.abort();
  await worker;
  global.gc?.();
  const before = process.memoryUsage();
  const defRow = (
    await query<{ definition: unknown }>(db, sql`select definition from workflows where id = ${waitWf}`)
  )[0]!;
  await query(
    db,
    sql`insert into executions (id, workflow_id, workflow_version, status, mode, definition, inputs)
      select 'many-' || g, ${waitWf}, 1, 'queued', 'queued', ${JSON.stringify(defRow.definition)}::jsonb, '{}'::jsonb
      from generate_series(1, ${WAITING}) g`,
  );
  const t0 = Date.now();
  await drainQueue(database, { concurrency: 32, budgetMs: Number.POSITIVE_INFINITY, pruneBatch: 0 });
  const drainMs = Date.now() - t0;
  const [counts] = await query<{ waiting: number; running: number }>(
    db,
    sql`select count(*) filter (where status = 'waiting')::int as waiting, count(*) filter (where status = 'running')::int as running
      from executions where id like 'many-%'`,
  );
  global.gc?.();
  await sleep(200);
  global.gc?.();
  const after = process.memoryUsage();
  const growthMb = (after.heapUsed - before.heapUsed) / 1024 / 1024;
  const rssMb = (after.rss - before.rss) / 1024 / 1024;
  console.log(
    `${WAITING} executions suspended in ${drainMs} ms (${((WAITING / drainMs) * 1000).toFixed(0)}/s)`,
  );
  rows.push({
    metric: `${WAITING} executions waiting at once: heap growth of this process (rss growth)`,
    value: `${growthMb.toFixed(1)} MB (${rssMb.toFixed(1)} MB); ${counts!.waiting} waiting`,
    target: "≤ 20 MB",
    verdict: growthMb <= 20 && counts!.waiting === WAITING ? "PASS" : "MISS",
  });
  rows.push({
    metric: "runner slots held by waiting executions (rows running)",
    value: String(counts!.running),
    target: "0",
    verdict: counts!.running === 0 ? "PASS" : "MISS",
  });
  await query(db, sql`delete from executions where id like 'many-%'`);

  // 3. Timer lateness with the worker loop running.
  const stop2 = new AbortController();
  worker = runDrainLoop(database, { stopSignal: stop2.signal, concurrency: 16, pollMs: 1000 });
  const timerWf = await store(
    def("timer", [{ id: "w", type: "wait", config: { for: "duration", ms: 1500 } }], ["start", "w"]),
  );
  const timerIds: string[] = [];
  for (let i = 0; i < 40; i++) {
    timerIds.push((await startRun(database, timerWf, { mode: "queued" })).body.executionId as string);
    await sleep(37);
  }
  for (const id of timerIds)
    await until(async () => ((await statusOf(id)) === "succeeded" ? true : undefined), "timer run", 30_000);
  const late = await query<{ ms: number }>(
    db,
    sql`select (extract(epoch from resolved_at - wake_at) * 1000)::float8 as ms from waits
      where execution_id = any(${sql.param(timerIds)}::text[])`,
  );
  const lateMs = late.map((r) => Number(r.ms));
  rows.push({
    metric: `timer lateness at wake-up (${lateMs.length} timers of 1.5 s, worker loop, poll 1 s)`,
    value: `p50 ${median(lateMs).toFixed(0)} ms, p95 ${pct(lateMs, 0.95).toFixed(0)} ms`,
    target: "(reported)",
    verdict: "—",
  });

  // 4. Sub-workflow overhead.
  const childWf = await store(
    def(
      "child",
      [
        { id: "double", type: "transform", config: { expression: "inputs.n * 2" } },
        { id: "result", type: "output", config: { value: "input" } },
      ],
      ["start", "double", "result"],
    ),
  );
  const parentWf = await store(
    def(
      "parent",
      [
        { id: "sub", type: "workflow", config: { workflowId: childWf, inputs: "{ 'n': inputs.n }" } },
        { id: "out", type: "output", config: { value: "input" } },
      ],
      ["start", "sub", "out"],
    ),
  );
  const inlineWf = await store(
    def(
      "inline",
      [
        { id: "double", type: "transform", config: { expression: "inputs.n * 2" } },
        { id: "result", type: "output", config: { value: "input" } },
        { id: "out", type: "output", config: { value: "input" } },
      ],
      ["start", "double", "result", "out"],
    ),
  );
  const timed = async (wf: string) => {
    const t = performance.now();
    const res = await startRun(database, wf, { mode: "immediate", inputs: { n: 2 } });
    if (res.body.status !== "succeeded")
      throw new Error(`run ended ${res.body.status}: ${JSON.stringify(res.body.error)}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 10; i++) {
    await timed(parentWf);
    await timed(inlineWf);
  }
  const withChild: number[] = [];
  const inline: number[] = [];
  for (let i = 0; i < 40; i++) {
    withChild.push(await timed(parentWf));
    inline.push(await timed(inlineWf));
  }
  const immOverhead = median(withChild) - median(inline);
  rows.push({
    metric: "workflow node overhead, immediate (child inline in the request) − same nodes inline, medians",
    value: `${immOverhead.toFixed(2)} ms (${median(withChild).toFixed(2)} vs ${median(inline).toFixed(2)} ms)`,
    target: "≤ 5 ms",
    verdict: immOverhead <= 5 ? "PASS" : "MISS",
  });
  const hops: number[] = [];
  for (let i = 0; i < 30; i++) {
    const id = (await startRun(database, parentWf, { mode: "queued", inputs: { n: i } })).body
      .executionId as string;
    await until(
      async () => ((await statusOf(id)) === "succeeded" ? true : undefined),
      "queued parent",
      30_000,
    );
    const [r] = await query<{ ms: number }>(
      db,
      sql`select (extract(epoch from n.started_at - c.created_at) * 1000)::float8 as ms
        from executions c join node_runs n on n.execution_id = c.parent_execution_id and n.node_id = 'out'
        where c.parent_execution_id = ${id}`,
    );
    if (i >= 5) hops.push(Number(r!.ms));
  }
  rows.push({
    metric: "workflow node overhead, queued: child enqueued → parent's next node started",
    value: `p50 ${median(hops).toFixed(1)} ms, p95 ${pct(hops, 0.95).toFixed(1)} ms`,
    target: "p50 ≤ 50 ms",
    verdict: median(hops) <= 50 ? "PASS" : "MISS",
  });
  stop2.abort();
  await worker;

  console.log("\nmetric | value | target | verdict");
  for (const r of rows) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.verdict}`);
} finally {
  stop.abort();
  await database.close().catch(() => {});
  await scratch.drop();
}
process.exit(0);
