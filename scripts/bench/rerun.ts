/**
 * Benchmark, rerun part (real Postgres, a scratch database created and dropped here): the time
 * from a rerun request (`rerunExecution`, what `POST /api/executions/:id/rerun` calls) to the
 * first re-run node starting, for a 200-node execution re-run from its middle node, p50/p95 over
 * repeated reruns. Side by side in the same run: a fresh queued run of the same workflow, from
 * its request to that same middle node starting (it has to run the 99 nodes before it).
 *
 * Run: npm run bench -- rerun   (TEST_DATABASE_URL overrides the server; BENCH_RERUN_N the count)
 */

import { isTerminal } from "@/lib/contract/status";
import { createScratchDatabase } from "./scratch-db";

const { sql } = await import("drizzle-orm");
const { openPostgres, query, setDatabase } = await import("@/lib/db/client");
const { createWorkflow } = await import("@/lib/workflow-store/service");
const { startRun } = await import("@/lib/runs/start-run");
const { rerunExecution } = await import("@/lib/runs/rerun");
type WorkflowDefinition = import("@/lib/workflow/schema").WorkflowDefinition;

const N = Number(process.env.BENCH_RERUN_N ?? 30);
const NODES = 200;
const MIDDLE = "t100";
const scratch = await createScratchDatabase("rerun");
const { url } = scratch;
const main = await openPostgres(url, { max: 20, migrate: true });
setDatabase(main);
const rows: { metric: string; value: string; target: string; verdict: string }[] = [];
const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

async function waitFinished(id: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const [r] = await query<{ status: string }>(main.db, sql`select status from executions where id = ${id}`);
    if (r && isTerminal(r.status)) {
      if (r.status !== "succeeded") throw new Error(`execution ${id} ${r.status}`);
      return;
    }
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`execution ${id} did not finish`);
}

async function startedAt(id: string, nodeId: string): Promise<number> {
  const [r] = await query<{ started: string | null }>(
    main.db,
    sql`select to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as started
      from node_runs where execution_id = ${id} and node_id = ${nodeId}`,
  );
  if (!r?.started) throw new Error(`node ${nodeId} of ${id} never started`);
  return Date.parse(r.started);
}

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

try {
  // trigger → t1 → … → t198 → out: 200 nodes in a chain.
  const nodes: WorkflowDefinition["nodes"] = [{ id: "start", type: "trigger", config: {} }];
  const edges: WorkflowDefinition["edges"] = [];
  let prev = "start";
  for (let i = 1; i < NODES - 1; i++) {
    const id = `t${i}`;
    nodes.push({ id, type: "transform", config: { expression: i === 1 ? "1" : `nodes.${prev} + 1` } });
    edges.push({ source: prev, target: id });
    prev = id;
  }
  nodes.push({ id: "out", type: "output", config: {} });
  edges.push({ source: prev, target: "out" });
  const workflow = await createWorkflow(main.db, { version: 1, name: "rerun bench", nodes, edges });

  const source = await startRun(main, workflow.id, { mode: "immediate" });
  if (source.body.status !== "succeeded") throw new Error(`source run ${source.body.status}`);
  const sourceId = source.body.executionId;

  const fresh: number[] = [];
  const rerun: number[] = [];
  for (let i = 0; i < N; i++) {
    // Fresh: a queued run, request → the middle node starting.
    const t0 = Date.now();
    const run = await startRun(main, workflow.id, { mode: "queued" });
    await waitFinished(run.body.executionId);
    fresh.push((await startedAt(run.body.executionId, MIDDLE)) - t0);

    // Rerun from the middle: request → the middle node starting (its 100 upstream nodes reused).
    const t1 = Date.now();
    const answer = await rerunExecution(main, sourceId, { fromNodeId: MIDDLE });
    await waitFinished(answer.executionId);
    rerun.push((await startedAt(answer.executionId, MIDDLE)) - t1);
    if (answer.reused.length !== 100)
      throw new Error(`expected 100 reused nodes, got ${answer.reused.length}`);
  }
  const p50 = percentile(rerun, 0.5);
  const freshP50 = percentile(fresh, 0.5);
  rows.push({
    metric: `rerun request → ${MIDDLE} started, p50`,
    value: `${fmt(p50, 1)} ms`,
    target: "≤ 50 ms",
    verdict: p50 <= 50 ? "PASS" : "MISS",
  });
  rows.push({
    metric: `rerun request → ${MIDDLE} started, p95`,
    value: `${fmt(percentile(rerun, 0.95), 1)} ms`,
    target: "—",
    verdict: "",
  });
  rows.push({
    metric: `fresh run request → ${MIDDLE} started, p50`,
    value: `${fmt(freshP50, 1)} ms`,
    target: "—",
    verdict: "",
  });
  rows.push({
    metric: "rerun / fresh (time to the middle node)",
    value: `${fmt(p50 / freshP50, 2)}×`,
    target: "< 1×",
    verdict: p50 < freshP50 ? "PASS" : "MISS",
  });
} finally {
  setDatabase(undefined);
  await main.close();
  await scratch.drop();
}

const w = [44, 14, 10, 6];
console.log(
  `\nrerun benchmark on ${new URL(scratch.server).host} (scratch database, ${NODES}-node chain, ${N} reruns)\n`,
);
console.log(["metric".padEnd(w[0]!), "value".padEnd(w[1]!), "target".padEnd(w[2]!), "result"].join(" "));
for (const r of rows)
  console.log([r.metric.padEnd(w[0]!), r.value.padEnd(w[1]!), r.target.padEnd(w[2]!), r.verdict].join(" "));
process.exit(0);
