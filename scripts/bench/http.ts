/**
 * Benchmark, HTTP part (issue 20): the built app under `next start` on real Postgres (a scratch
 * database created and dropped here), measured from outside as an API client sees it:
 *  1. immediate 3-node runs/s (`POST /api/workflows/:id/run`) ÷ trivial `GET /api/workflows/:id`
 *     per second, both at 16 connections on the same server, in alternating one-second phases
 *     (median of the adjacent pairs' ratios; target ≥ 0.6);
 *  2. TTFS p50 (run request sent → first node started, from the answer's checkpoints) against a
 *     trivial GET's round trip p50, one request at a time (target ≤ 5 ms above).
 *
 * It needs a production build in its own dist dir (default `.next-bench`, BENCH_DIST_DIR to
 * change). `BENCH_BUILD=1` builds it first (`next build`; tsconfig.json, which a custom dist dir
 * rewrites, is put back). Without a build and without BENCH_BUILD it says so and measures nothing.
 *
 * Run: BENCH_BUILD=1 npm run bench -- http   (then `npm run bench -- http` reuses the build;
 * TEST_DATABASE_URL overrides the server; BENCH_HTTP_SECONDS sets each phase's length, default 5;
 * BENCH_HTTP_NODE_ARGS passes node options to the server, e.g. `--cpu-prof`)
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { createScratchDatabase } from "./scratch-db";

const { openPostgres } = await import("@/lib/db/client");
type WorkflowDefinition = import("@/lib/workflow/schema").WorkflowDefinition;
type NodeCheckpoint = import("@/lib/engine/ports").NodeCheckpoint;

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const DIST = process.env.BENCH_DIST_DIR ?? ".next-bench";
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const CONCURRENCY = 16;

if (!existsSync(path.join(ROOT, DIST, "BUILD_ID"))) {
  if (!process.env.BENCH_BUILD) {
    console.log(
      `no production build in ${DIST}/: nothing measured.\n` +
        "Build it with `BENCH_BUILD=1 npm run bench -- http` (a few minutes; later runs reuse it),\n" +
        `or \`NEXT_DIST_DIR=${DIST} npx next build && git checkout tsconfig.json\`.`,
    );
    process.exit(0);
  }
}
if (process.env.BENCH_BUILD) {
  console.log(`building the app into ${DIST}/ …`);
  const tsconfig = path.join(ROOT, "tsconfig.json");
  const saved = readFileSync(tsconfig, "utf8");
  const res = spawnSync("npx", ["next", "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1" },
  });
  // A build with its own dist dir rewrites tsconfig.json's include list: put it back.
  writeFileSync(tsconfig, saved);
  if (res.status !== 0) throw new Error("next build failed");
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

const scratch = await createScratchDatabase("http");
const { url } = scratch;
// Migrated here so the server's first requests do not pay for it.
await (await openPostgres(url, { max: 1, migrate: true })).close();

const port = await freePort();
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let server: ChildProcess | undefined;
let serverLog = "";

interface Answer {
  status: number;
  body: string;
}
function request(method: "GET" | "POST", pathname: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: pathname,
        agent,
        headers: payload
          ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Requests per second with `CONCURRENCY` clients each sending `send` back to back for `seconds`. */
async function rate(send: () => Promise<void>, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await send();
        done++;
      }
    }),
  );
  return (done / (performance.now() - t0)) * 1000;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const rows: { metric: string; value: string; target: string; verdict: string }[] = [];

try {
  server = spawn(
    process.execPath,
    [
      // e.g. BENCH_HTTP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server
      ...(process.env.BENCH_HTTP_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      path.join(ROOT, "node_modules", "next", "dist", "bin", "next"),
      "start",
      "-p",
      String(port),
      "-H",
      "127.0.0.1",
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_DIST_DIR: DIST,
        NEXT_TELEMETRY_DISABLED: "1",
        DATABASE_URL: url,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  server.stdout?.on("data", (d) => {
    serverLog += String(d);
  });
  server.stderr?.on("data", (d) => {
    serverLog += String(d);
  });
  const up = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`next start exited:\n${serverLog}`);
    const ok = await request("GET", "/api/workflows").then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > up) throw new Error(`next start did not answer within 60 s:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  const threeNodes: WorkflowDefinition = {
    version: 1,
    name: "three",
    nodes: [
      { id: "start", type: "trigger", config: {} },
      { id: "double", type: "transform", config: { expression: "inputs.n * 2" } },
      { id: "out", type: "output", config: {} },
    ],
    edges: [
      { source: "start", target: "double" },
      { source: "double", target: "out" },
    ],
    settings: { mode: "immediate" },
  };
  const created = await request("POST", "/api/workflows", threeNodes);
  if (created.status !== 201) throw new Error(`creating the workflow: ${created.status} ${created.body}`);
  const id = (JSON.parse(created.body) as { id: string }).id;
  const get = async () => {
    const r = await request("GET", `/api/workflows/${id}`);
    if (r.status !== 200) throw new Error(`GET: ${r.status} ${r.body}`);
  };
  const runOnce = async () => {
    const r = await request("POST", `/api/workflows/${id}/run`, { mode: "immediate", inputs: { n: 2 } });
    const answer = JSON.parse(r.body) as { status?: string; nodes?: Record<string, NodeCheckpoint> };
    if (r.status !== 200 || answer.status !== "succeeded") throw new Error(`run: ${r.status} ${r.body}`);
    return answer;
  };
  const run = async () => {
    await runOnce();
  };

  // Warm-up: compiles the routes' code paths, fills the pool and the prepared statements.
  await rate(get, 1);
  await rate(run, 1);

  // 1. Throughput at c = 16, in short alternating phases so a load change on the machine (other
  // processes share it) hits both alike; the ratio is the median of adjacent pairs.
  const gets: number[] = [];
  const runs: number[] = [];
  const pairs = Math.max(3, Math.round(SECONDS));
  for (let i = 0; i < pairs; i++) {
    gets.push(await rate(get, SECONDS / pairs));
    runs.push(await rate(run, SECONDS / pairs));
  }
  console.log(
    `phases: GET ${gets.map((g) => g.toFixed(0)).join(", ")}/s; runs ${runs.map((r) => r.toFixed(0)).join(", ")}/s`,
  );
  const getRate = gets.reduce((a, b) => a + b, 0) / gets.length;
  const runRate = runs.reduce((a, b) => a + b, 0) / runs.length;
  const ratio = pct(
    runs.map((r, i) => r / gets[i]!),
    50,
  );

  // 2. TTFS, one request at a time: request sent → the trigger node's startedAt (ms resolution).
  const getMs: number[] = [];
  const ttfs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const g0 = performance.now();
    await get();
    getMs.push(performance.now() - g0);
    const sent = Date.now();
    const answer = await runOnce();
    const started = answer.nodes?.start?.startedAt;
    if (started) ttfs.push(Date.parse(started) - sent);
  }
  const above = pct(ttfs, 50) - pct(getMs, 50);

  rows.push({
    metric: "trivial GET /api/workflows/:id (c=16)",
    value: `${getRate.toFixed(0)}/s`,
    target: "—",
    verdict: "",
  });
  rows.push({
    metric: "immediate 3-node runs over HTTP (c=16)",
    value: `${runRate.toFixed(0)}/s`,
    target: "—",
    verdict: "",
  });
  rows.push({
    metric: "runs/s ÷ GET/s (median of adjacent phases)",
    value: ratio.toFixed(2),
    target: "≥ 0.6",
    verdict: ratio >= 0.6 ? "PASS" : "MISS",
  });
  rows.push({
    metric: "trivial GET round trip p50 / p99 (c=1)",
    value: `${pct(getMs, 50).toFixed(1)} / ${pct(getMs, 99).toFixed(1)} ms`,
    target: "—",
    verdict: "",
  });
  rows.push({
    metric: "TTFS p50 / p90 / p99 (request → first node started)",
    value: `${pct(ttfs, 50)} / ${pct(ttfs, 90)} / ${pct(ttfs, 99)} ms`,
    target: "—",
    verdict: "",
  });
  rows.push({
    metric: "TTFS p50 − GET p50",
    value: `${above.toFixed(1)} ms`,
    target: "≤ 5 ms",
    verdict: above <= 5 ? "PASS" : "MISS",
  });
} finally {
  agent.destroy();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server?.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  }
  await scratch.drop();
}

console.log(
  `\nHTTP benchmark: next start (${DIST}) on port ${port}, Postgres ${new URL(scratch.server).host}, ` +
    `${os.cpus().length} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
);
console.log("metric | value | target | verdict");
for (const r of rows) console.log(`${r.metric} | ${r.value} | ${r.target} | ${r.verdict}`);
process.exit(0);
