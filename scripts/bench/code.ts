/**
 * Code part of `npm run bench`: the QuickJS sandbox and killable expressions.
 * - cold start: a new one-worker pool until the first invocation answers;
 * - warm invocations/s of a 10-line transform on one worker (one core);
 * - the same transform as a JSONata expression, in-process and on the expression isolate;
 * - the main loop's worst timer delay while `while (1)` runs to its 1000 ms timeout;
 * - the cost per evaluation of a plain (in-process) expression and of an isolated one.
 * Run: `npm run bench -- code`.
 */
import { availableParallelism, loadavg } from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import {
  type ExpressionScope,
  evaluateExpression,
  runsInProcess,
  setExpressionIsolate,
} from "@/lib/engine/expressions";
import { createPoolExpressionIsolate } from "@/lib/sandbox/expression-isolate";
import { SandboxPool } from "@/lib/sandbox/pool";
import { runCode } from "@/lib/sandbox/run-code";

type Row = { what: string; value: number; unit: string; target: string; pass: boolean };
const rows: Row[] = [];

const transform = `const out = [];
for (const it of input.items) {
  if (it.qty > 0) {
    out.push({ sku: it.sku.toUpperCase(), total: it.qty * it.price });
  }
}
const sum = out.reduce((s, o) => s + o.total, 0);
const sorted = out.slice().sort((a, b) => b.total - a.total);
const top = sorted.length > 0 ? sorted[0].sku : null;
return { count: out.length, sum, top };`;
const transformJsonata = `(
  $out := input.items[qty > 0].{ "sku": $uppercase(sku), "total": qty * price };
  { "count": $count($out), "sum": $sum($out.total), "top": $sort($out, function($a, $b) { $a.total < $b.total })[0].sku }
)`;
const input = {
  items: Array.from({ length: 10 }, (_, i) => ({ sku: `sku-${i}`, qty: i % 4, price: 1.5 * i })),
};
const scope: ExpressionScope = { input, inputs: {}, nodes: {} };
const site = { nodeType: "transform", nodeId: "bench", field: "config.expression" };

// Cold start: a new worker, QuickJS compiled and instantiated, the first context.
const coldStart = performance.now();
const pool = new SandboxPool({ size: 1 });
const first = await runCode({ source: transform, input, inputs: {}, nodes: {}, pool });
const coldMs = performance.now() - coldStart;
const expected = JSON.stringify(first.value);
rows.push({ what: "cold start (first invocation)", value: coldMs, unit: "ms", target: "-", pass: true });

// Warm throughput on one worker: a few calls in flight so the worker never waits on the main thread.
async function throughput(fn: () => Promise<unknown>, ms: number, inFlight: number): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await fn();
        done++;
      }
    }),
  );
  return done / (ms / 1000);
}
for (let i = 0; i < 50; i++) await runCode({ source: transform, input, inputs: {}, nodes: {}, pool });
const codePerSec = await throughput(
  () => runCode({ source: transform, input, inputs: {}, nodes: {}, pool }),
  3000,
  4,
);
rows.push({
  what: "warm code invocations/s (1 worker)",
  value: codePerSec,
  unit: "/s",
  target: "≥ 2000/s",
  pass: codePerSec >= 2000,
});

const jsonataValue = await evaluateExpression(transformJsonata, scope, site);
if (JSON.stringify(jsonataValue) !== expected) {
  throw new Error(`the JSONata twin differs: ${JSON.stringify(jsonataValue)} vs ${expected}`);
}
const jsonataPerSec = await throughput(() => evaluateExpression(transformJsonata, scope, site), 2000, 1);
rows.push({
  what: "same transform, JSONata in-process",
  value: jsonataPerSec,
  unit: "/s",
  target: "-",
  pass: true,
});
rows.push({
  what: "code ÷ JSONata cost per call",
  value: jsonataPerSec / codePerSec,
  unit: "×",
  target: "-",
  pass: true,
});

// Expressions: the in-process fast path and the isolate, side by side.
const exprPool = new SandboxPool({ size: 1, warmCode: false });
const plain = '{ "total": $sum(input.items.price), "first": input.items[0].sku, "n": $count(input.items) }';
const regex = "$split(input.csv, /\\s*,\\s*/)";
const bigNodes = {
  fetch: {
    body: Array.from({ length: 5000 }, (_, i) => ({
      id: i,
      title: `item ${i} with some text`,
      ok: i % 2 === 0,
    })),
  },
};
const regexScope: ExpressionScope = { input: { csv: "a, b ,c" }, inputs: {}, nodes: {} };
const bigScope: ExpressionScope = { ...regexScope, nodes: bigNodes };
async function perCallMs(fn: () => Promise<unknown>, count: number): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  const start = performance.now();
  for (let i = 0; i < count; i++) await fn();
  return (performance.now() - start) / count;
}
const plainMs = await perCallMs(() => evaluateExpression(plain, scope, site), 5000);
const regexInProcessMs = await perCallMs(() => evaluateExpression(regex, regexScope, site), 5000);
setExpressionIsolate(createPoolExpressionIsolate(exprPool));
const plainWithIsolateMs = await perCallMs(() => evaluateExpression(plain, scope, site), 5000);
const regexIsolatedMs = await perCallMs(() => evaluateExpression(regex, regexScope, site), 1000);
const regexIsolatedBigMs = await perCallMs(() => evaluateExpression(regex, bigScope, site), 100);
const readsBig = "$count($split($string(nodes.fetch.body), /,/))";
const regexReadsBigMs = await perCallMs(() => evaluateExpression(readsBig, bigScope, site), 100);
const transformIsolatedMs = await perCallMs(() => evaluateExpression(transformJsonata, scope, site), 1000);
setExpressionIsolate(undefined);
rows.push({
  what: `plain expression in-process (${runsInProcess(plain) ? "bounded" : "isolated"})`,
  value: plainWithIsolateMs * 1000,
  unit: "µs",
  target: "≤ 500 µs",
  pass: plainWithIsolateMs <= 0.5,
});
rows.push({
  what: "  same, before the isolate check",
  value: plainMs * 1000,
  unit: "µs",
  target: "-",
  pass: true,
});
rows.push({
  what: "regex expression in-process (unsafe)",
  value: regexInProcessMs * 1000,
  unit: "µs",
  target: "-",
  pass: true,
});
rows.push({
  what: "regex expression on the isolate",
  value: regexIsolatedMs * 1000,
  unit: "µs",
  target: "≤ 500 µs",
  pass: regexIsolatedMs <= 0.5,
});
rows.push({
  what: "  same, scope with a 0.3 MB node it ignores",
  value: regexIsolatedBigMs * 1000,
  unit: "µs",
  target: "-",
  pass: true,
});
rows.push({
  what: "  same, expression reads all of that output",
  value: regexReadsBigMs * 1000,
  unit: "µs",
  target: "-",
  pass: true,
});
rows.push({
  what: "10-line JSONata transform on the isolate",
  value: transformIsolatedMs * 1000,
  unit: "µs",
  target: "-",
  pass: true,
});

// The main loop while user code spins to its timeout on a worker, next to the same timer while
// the main loop only waits (the machine's own scheduling noise).
async function worstTimerLateness<T>(during: () => Promise<T>): Promise<{ worst: number; result: T }> {
  let worst = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  const result = await during();
  clearInterval(ticker);
  return { worst, result };
}
const idle = await worstTimerLateness(() => new Promise((r) => setTimeout(r, 1000)));
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const { worst: worstLateMs, result: spin } = await worstTimerLateness(() =>
  runCode({ source: "while (1) {}", input: null, inputs: {}, nodes: {}, pool, timeoutMs: 1000 }).catch(
    (e: Error) => e,
  ),
);
histogram.disable();
if (!(spin instanceof Error)) throw new Error("while (1) returned");
rows.push({
  what: "timer delay during while(1) to 1000 ms",
  value: worstLateMs,
  unit: "ms",
  target: "≤ 20 ms",
  pass: worstLateMs <= 20,
});
rows.push({
  what: "  same timer, main loop idle for 1000 ms",
  value: idle.worst,
  unit: "ms",
  target: "-",
  pass: true,
});
rows.push({
  what: "  event-loop delay p99 (perf_hooks)",
  value: histogram.percentile(99) / 1e6,
  unit: "ms",
  target: "-",
  pass: true,
});

await pool.close();
await exprPool.close();

const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} on ${availableParallelism()} cores`,
);
console.log(`${pad("measure", 42)} ${pad("value", 14)} ${pad("target", 12)} result`);
for (const r of rows) {
  const value = `${r.value.toFixed(r.value < 10 ? 2 : 0)} ${r.unit}`;
  console.log(
    `${pad(r.what, 42)} ${pad(value, 14)} ${pad(r.target, 12)} ${r.target === "-" ? "" : r.pass ? "PASS" : "MISS"}`,
  );
}
process.exit(0);
