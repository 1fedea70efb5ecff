/**
 * Benchmark, loops (issue 12), on real Postgres (a scratch database created and dropped here),
 * through the real immediate path (`startRun`: fenced Postgres journal, events, settle):
 *  1. overhead per item: a loop over 10,000 items with a one-node body (a transform), minus a
 *     one-node run, divided by the items (target ≤ 0.5 ms);
 *  2. items in flight: the most concurrent requests a local HTTP server (20 ms each) sees from a
 *     loop with an http body, for concurrency 1, 8 and 500 (target: never above the cap);
 *  3. makespan of 100 items × 100 ms HTTP at concurrency 10 against the ideal 1 s (target ≤ 1.1×).
 *
 * Run: npm run bench -- loop   (TEST_DATABASE_URL overrides the server)
 */
import { createServer } from "node:http";

import { createScratchDatabase } from "./scratch-db";

process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
process.env.IMMEDIATE_BUDGET_MS ??= "600000";
const { openPostgres, setDatabase } = await import("@/lib/db/client");
const { workflows } = await import("@/lib/db/schema");
const { startRun } = await import("@/lib/runs/start-run");
type WorkflowDefinition = import("@/lib/workflow/schema").WorkflowDefinition;

const ITEMS = Number(process.env.BENCH_LOOP_ITEMS ?? 10_000);
const scratch = await createScratchDatabase("loop");
const { url } = scratch;
const database = await openPostgres(url, { max: 10, migrate: true });
setDatabase(database);

let inFlight = 0;
let maxInFlight = 0;
const http = createServer((req, res) => {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  const ms = Number(new URL(req.url ?? "/", "http://x").searchParams.get("ms") ?? 0);
  setTimeout(() => {
    inFlight--;
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  }, ms);
});
http.maxConnections = 10_000;
await new Promise<void>((r) => http.listen({ port: 0, host: "127.0.0.1", backlog: 2048 }, r));
const base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;

const trigger = { id: "start", type: "trigger" as const, config: {} };
function loopOf(
  items: string,
  concurrency: number,
  body: WorkflowDefinition["nodes"][number],
): WorkflowDefinition {
  return {
    version: 1,
    name: `loop ${items}`,
    nodes: [
      trigger,
      { id: "each", type: "loop", config: { items, concurrency } },
      { ...body, parentId: "each" },
    ],
    edges: [{ source: "start", target: "each" }],
    settings: { mode: "immediate" },
  };
}
const oneNode: WorkflowDefinition = {
  version: 1,
  name: "one",
  nodes: [trigger, { id: "t", type: "transform", config: { expression: "1" } }],
  edges: [{ source: "start", target: "t" }],
  settings: { mode: "immediate" },
};

let seq = 0;
async function run(def: WorkflowDefinition, inputs: unknown = {}): Promise<number> {
  const id = `w-${++seq}`;
  await database.db.insert(workflows).values({ id, name: def.name, definition: def });
  const t0 = performance.now();
  const res = await startRun(database, id, { mode: "immediate", inputs });
  const ms = performance.now() - t0;
  if (res.body.status !== "succeeded")
    throw new Error(`${def.name} ended ${res.body.status}: ${JSON.stringify(res.body.error)}`);
  return ms;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: { metric: string; value: string; target: string; verdict: string }[] = [];

try {
  // 1. Overhead per item.
  const transformBody = { id: "double", type: "transform" as const, config: { expression: "$item * 2" } };
  for (let i = 0; i < 3; i++) await run(oneNode);
  const baseMs = median([await run(oneNode), await run(oneNode), await run(oneNode)]);
  const loopRuns: number[] = [];
  for (let r = 0; r < 3; r++) loopRuns.push(await run(loopOf(`[1..${ITEMS}]`, 8, transformBody)));
  const perItem = (median(loopRuns) - baseMs) / ITEMS;
  console.log(
    `1-node run ${baseMs.toFixed(1)} ms; ${ITEMS}-item loop runs ${loopRuns.map((m) => m.toFixed(0)).join(", ")} ms`,
  );
  rows.push({
    metric: `overhead per item, ${ITEMS} items × 1-node body (transform), Postgres journal`,
    value: `${perItem.toFixed(3)} ms`,
    target: "≤ 0.5 ms",
    verdict: perItem <= 0.5 ? "PASS" : "MISS",
  });

  // 2. Items in flight against the cap.
  for (const cap of [1, 8, 500]) {
    inFlight = 0;
    maxInFlight = 0;
    const items = Math.max(40, cap * 3);
    const body = {
      id: "call",
      type: "http" as const,
      config: { method: "GET" as const, url: `${base}/i?ms=20` },
    };
    await run(loopOf(`[1..${items}]`, cap, body));
    rows.push({
      metric: `most items in flight, cap ${cap} (${items} items × 20 ms http)`,
      value: String(maxInFlight),
      target: `≤ ${cap}`,
      verdict: maxInFlight <= cap ? "PASS" : "MISS",
    });
  }

  // 3. Makespan against the ideal.
  const body = {
    id: "call",
    type: "http" as const,
    config: { method: "GET" as const, url: `${base}/i?ms=100` },
  };
  const makespan = median([
    await run(loopOf("[1..100]", 10, body)),
    await run(loopOf("[1..100]", 10, body)),
    await run(loopOf("[1..100]", 10, body)),
  ]);
  const ratio = makespan / 1000;
  rows.push({
    metric: "makespan, 100 items × 100 ms http at concurrency 10 ÷ ideal 1 s",
    value: `${makespan.toFixed(0)} ms (${ratio.toFixed(3)}×)`,
    target: "≤ 1.1×",
    verdict: ratio <= 1.1 ? "PASS" : "MISS",
  });

  console.log("\nmetric | value | target | verdict");
  for (const r of rows) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.verdict}`);
} finally {
  http.close();
  await database.close();
  await scratch.drop();
}
process.exit(0);
