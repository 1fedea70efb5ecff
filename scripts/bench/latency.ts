/**
 * Benchmark, step latency (issue 20), on real Postgres (a scratch database created and dropped
 * here), through the real immediate path (`startRun`: workflow read, claimed insert, fenced
 * journal, events, settle) without HTTP:
 *  1. overhead per node in a 50-node transform chain: (chain run − 1-node run) ÷ 49, medians;
 *  2. STSO (node finished → next node started) for pure nodes (transform chain) and for
 *     side-effecting ones (http chain against a local server), p50/p90/p99, from the stored
 *     checkpoints' timestamps (millisecond resolution: a p50 of 0 means under a millisecond);
 *  3. whole-run overhead: makespan minus the node durations on the (single) path.
 * TTFS and runs/s over HTTP need a built app: `npm run bench -- http` measures them.
 *
 * Run: npm run bench -- latency   (TEST_DATABASE_URL overrides the server)
 */
import { createServer } from "node:http";

const { openPostgres, setDatabase } = await import("@/lib/db/client");
const { workflows } = await import("@/lib/db/schema");
const { startRun } = await import("@/lib/runs/start-run");
type WorkflowDefinition = import("@/lib/workflow/schema").WorkflowDefinition;
type NodeCheckpoint = import("@/lib/engine/ports").NodeCheckpoint;

import { createScratchDatabase } from "./scratch-db";

process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
const RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 30);
const scratch = await createScratchDatabase("latency");
const { url } = scratch;
const database = await openPostgres(url, { max: 10, migrate: true });
setDatabase(database);
const http = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"ok":true}');
});
await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;

function chain(n: number, kind: "transform" | "http"): WorkflowDefinition {
  const nodes: WorkflowDefinition["nodes"] = [{ id: "start", type: "trigger", config: {} }];
  const edges: WorkflowDefinition["edges"] = [];
  let prev = "start";
  for (let i = 0; i < n; i++) {
    const id = `n${i}`;
    nodes.push(
      kind === "transform"
        ? { id, type: "transform", config: { expression: i === 0 ? "1" : "input + 1" } }
        : { id, type: "http", config: { method: "GET", url: `${base}/n${i}` } },
    );
    edges.push({ source: prev, target: id });
    prev = id;
  }
  return { version: 1, name: `${kind} ${n}`, nodes, edges, settings: { mode: "immediate" } };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const median = (xs: number[]) => pct(xs, 50);
const fmt = (n: number, d = 2) => n.toFixed(d);
const rows: { metric: string; value: string; target: string; verdict: string }[] = [];

async function timeRuns(id: string, runs: number) {
  const ms: number[] = [];
  const stso: number[] = [];
  const overhead: number[] = [];
  for (let r = 0; r < runs + 3; r++) {
    const t0 = performance.now();
    const res = await startRun(database, id, { mode: "immediate" });
    const elapsed = performance.now() - t0;
    if (res.body.status !== "succeeded") throw new Error(`${id} ended ${res.body.status}`);
    if (r < 3) continue; // warm-up
    ms.push(elapsed);
    const cps = Object.values(res.body.nodes ?? {}) as NodeCheckpoint[];
    const ordered = cps
      .filter((c) => c.startedAt && c.finishedAt)
      .sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
    for (let i = 1; i < ordered.length; i++)
      stso.push(Date.parse(ordered[i]!.startedAt!) - Date.parse(ordered[i - 1]!.finishedAt!));
    if (ordered.length > 0) {
      const span = Date.parse(ordered.at(-1)!.finishedAt!) - Date.parse(ordered[0]!.startedAt!);
      const busy = ordered.reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
      overhead.push(span - busy);
    }
  }
  return { ms, stso, overhead };
}

try {
  const ids: Record<string, string> = {};
  for (const [key, def] of [
    ["one", chain(1, "transform")],
    ["fifty", chain(50, "transform")],
    ["http", chain(20, "http")],
  ] as const) {
    ids[key] = `w-${key}`;
    await database.db.insert(workflows).values({ id: ids[key]!, name: def.name, definition: def });
  }
  const one = await timeRuns(ids.one!, RUNS);
  const fifty = await timeRuns(ids.fifty!, RUNS);
  const httpChain = await timeRuns(ids.http!, Math.max(10, Math.floor(RUNS / 2)));
  const perNode = (median(fifty.ms) - median(one.ms)) / 49;
  console.log(
    `1-node run, median ${fmt(median(one.ms))} ms; 50-node chain, median ${fmt(median(fifty.ms))} ms`,
  );
  rows.push({
    metric: "overhead per node, 50-node transform chain (immediate, Postgres)",
    value: `${fmt(perNode, 3)} ms`,
    target: "≤ 0.5 ms",
    verdict: perNode <= 0.5 ? "PASS" : "MISS",
  });
  rows.push({
    metric: "STSO pure nodes p50 / p90 / p99 (ms resolution)",
    value: `${pct(fifty.stso, 50)} / ${pct(fifty.stso, 90)} / ${pct(fifty.stso, 99)} ms`,
    target: "≤ 0.3 / — / 2 ms",
    verdict: pct(fifty.stso, 50) <= 0.3 && pct(fifty.stso, 99) <= 2 ? "PASS" : "MISS",
  });
  rows.push({
    metric: "STSO side-effecting (http) p50 / p90 / p99",
    value: `${pct(httpChain.stso, 50)} / ${pct(httpChain.stso, 90)} / ${pct(httpChain.stso, 99)} ms`,
    target: "p50 ≤ 2 ms",
    verdict: pct(httpChain.stso, 50) <= 2 ? "PASS" : "MISS",
  });
  rows.push({
    metric: "whole-run overhead, 50-node chain p50 / p90 / p99",
    value: `${pct(fifty.overhead, 50)} / ${pct(fifty.overhead, 90)} / ${pct(fifty.overhead, 99)} ms`,
    target: "—",
    verdict: "",
  });
  rows.push({
    metric: "TTFS p50 over HTTP; immediate runs/s ÷ GET/s (c=16)",
    value: "see `npm run bench -- http`",
    target: "needs a built app",
    verdict: "",
  });
  console.log("\nmetric | value | target | verdict");
  for (const r of rows) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.verdict}`);
} finally {
  http.close();
  await database.close();
  await scratch.drop();
}
process.exit(0);
