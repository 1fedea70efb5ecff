/**
 * UI benchmark: a 500-node workflow in the builder. Measures time to first render (target ≤ 2 s),
 * frame times while panning and zooming, and frame times while all 500 nodes change status over
 * SSE during a live run. Counts page errors (target 0).
 *
 * Uses the app at BENCH_BASE_URL when set; otherwise starts `next start` on port 3102 from the
 * build in BENCH_DIST_DIR (default `.next-bench-ui`, built first when missing) with a scratch
 * Postgres database (BENCH_DATABASE_URL, default `braid_bench_ui`). Always exits 0.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import postgres from "postgres";

const NODES = 500;
const LAYERS = 10;
const WIDTH = (NODES - 1) / LAYERS; // 49.9 → 50 chains, the last one shorter
const DELAY_MS = 150;
const PORT = 3102;

interface Row {
  metric: string;
  value: string;
  target: string;
  pass?: boolean;
}

/** trigger → 50 parallel chains of delay nodes, 10 deep: every node runs and changes status live. */
function bigWorkflow() {
  const nodes: Array<Record<string, unknown>> = [{ id: "start", type: "trigger", config: {} }];
  const edges: Array<Record<string, unknown>> = [];
  const chains = Math.ceil(WIDTH);
  for (let i = 0; i < NODES - 1; i++) {
    const layer = Math.floor(i / chains);
    const lane = i % chains;
    const id = `d_${layer}_${lane}`;
    nodes.push({ id, type: "delay", config: { ms: DELAY_MS } });
    edges.push({ source: layer === 0 ? "start" : `d_${layer - 1}_${lane}`, target: id });
  }
  return { version: 1, name: `Bench ${NODES} nodes`, nodes, edges, settings: { maxConcurrency: 64 } };
}

async function ensureDatabase(url: string) {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select 1 as ok from pg_database where datname = ${name}`;
    if (!row) await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function waitForServer(base: string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const res = await fetch(`${base}/api/workflows`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the app at ${base} did not answer in ${ms} ms`);
}

async function startApp(): Promise<{ base: string; child?: ChildProcess }> {
  if (process.env.BENCH_BASE_URL) return { base: process.env.BENCH_BASE_URL.replace(/\/$/, "") };
  const distDir = process.env.BENCH_DIST_DIR ?? ".next-bench-ui";
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/braid_bench_ui";
  await ensureDatabase(databaseUrl);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_DIST_DIR: distDir,
    DATABASE_URL: databaseUrl,
    HTTP_ALLOW_PRIVATE_NETWORK: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
  };
  if (!existsSync(path.join(distDir, "BUILD_ID"))) {
    console.log(`building the app into ${distDir} (minutes)…`);
    const built = spawnSync("npx", ["next", "build"], { stdio: "inherit", env });
    if (built.status !== 0) throw new Error("next build failed");
  }
  const child = spawn("npx", ["next", "start", "-p", String(PORT), "-H", "127.0.0.1"], {
    env,
    stdio: "ignore",
  });
  const base = `http://127.0.0.1:${PORT}`;
  await waitForServer(base, 60_000);
  return { base, child };
}

/**
 * Records requestAnimationFrame deltas in the page until the returned function is called. The
 * page scripts are strings: tsx would wrap named functions in a helper the page does not have.
 */
async function startFrames(page: Page) {
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__rec = true;
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__rec) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  return async () =>
    (await page.evaluate("(() => { window.__rec = false; return window.__frames.slice(1); })()")) as number[];
}

function stats(frames: number[]) {
  const sorted = [...frames].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const avg = frames.reduce((a, b) => a + b, 0) / Math.max(1, frames.length);
  return { count: frames.length, avg, p95: at(0.95), max: sorted[sorted.length - 1] ?? 0 };
}

async function main() {
  const rows: Row[] = [];
  const { base, child } = await startApp();
  const browser = await chromium.launch({
    executablePath: process.env.BENCH_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const created = await fetch(`${base}/api/workflows`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(bigWorkflow()),
    });
    if (created.status !== 201)
      throw new Error(`creating the workflow answered ${created.status}: ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("response", (r) => {
      if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) errors.push(`${r.status()} ${r.url()}`);
    });

    // Warm the route once (server-side compile caches, fonts), then measure a fresh load.
    await page.goto(`${base}/workflows/${id}`);
    await page.waitForSelector('[data-testid="node-start"]');
    const t0 = Date.now();
    await page.goto(`${base}/workflows/${id}`);
    await page.waitForSelector('[data-testid="node-start"]');
    const firstNode = Date.now() - t0;
    await page.waitForFunction((n) => document.querySelectorAll(".bn-node").length >= n, NODES, {
      timeout: 60_000,
    });
    const allNodes = Date.now() - t0;
    rows.push({ metric: "first node rendered", value: `${firstNode} ms`, target: "", pass: undefined });
    rows.push({
      metric: `all ${NODES} nodes rendered`,
      value: `${allNodes} ms`,
      target: "≤ 2000 ms",
      pass: allNodes <= 2000,
    });

    // Baseline: an idle canvas, measured in the same run so the ratios below cancel machine load.
    const stopIdle = await startFrames(page);
    await page.waitForTimeout(2000);
    const idle = stats(await stopIdle());
    rows.push({
      metric: "idle canvas frame time avg (baseline)",
      value: `${idle.avg.toFixed(1)} ms (${idle.count} frames)`,
      target: "",
    });

    // Pan and zoom.
    const pane = await page.locator(".react-flow__pane").boundingBox();
    if (!pane) throw new Error("no canvas pane");
    const cx = pane.x + pane.width / 2;
    const cy = pane.y + pane.height / 2;
    const stopPan = await startFrames(page);
    for (let i = 0; i < 4; i++) {
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      await page.mouse.move(cx + (i % 2 ? -300 : 300), cy + (i % 2 ? 150 : -150), { steps: 30 });
      await page.mouse.up();
      await page.mouse.wheel(0, i % 2 ? 300 : -300);
    }
    const pan = stats(await stopPan());
    rows.push({
      metric: "pan/zoom frame time avg",
      value: `${pan.avg.toFixed(1)} ms (${pan.count} frames)`,
      target: "≤ 33 ms",
      pass: pan.avg <= 33,
    });
    rows.push({
      metric: "pan/zoom frame time p95",
      value: `${pan.p95.toFixed(1)} ms`,
      target: "≤ 50 ms",
      pass: pan.p95 <= 50,
    });
    await page.getByTestId("auto-layout").click();
    await page.locator(".react-flow__controls-fitview").click();

    // A live run: every node goes running → succeeded over SSE.
    await page.getByTestId("run-mode").selectOption("immediate");
    const stopRun = await startFrames(page);
    const runStart = Date.now();
    await page.getByTestId("run-button").click();
    await page.waitForFunction(
      () => document.querySelector('.bn-node[data-status="running"]') !== null,
      null,
      {
        timeout: 30_000,
      },
    );
    const firstRunning = Date.now() - runStart;
    await page.waitForFunction(
      (n) => document.querySelectorAll('.bn-node[data-status="succeeded"]').length >= n,
      NODES,
      { timeout: 120_000 },
    );
    const runWall = Date.now() - runStart;
    const run = stats(await stopRun());
    rows.push({ metric: "run: first node blue after click", value: `${firstRunning} ms`, target: "" });
    rows.push({ metric: `run: all ${NODES} nodes green`, value: `${runWall} ms`, target: "" });
    rows.push({
      metric: "status updates frame time avg",
      value: `${run.avg.toFixed(1)} ms (${run.count} frames)`,
      target: "≤ 33 ms",
      pass: run.avg <= 33,
    });
    rows.push({
      metric: "status updates frame time p95",
      value: `${run.p95.toFixed(1)} ms`,
      target: "≤ 50 ms",
      pass: run.p95 <= 50,
    });
    rows.push({ metric: "status updates longest frame", value: `${run.max.toFixed(1)} ms`, target: "" });
    rows.push({ metric: "pan frame time / idle", value: `${(pan.avg / idle.avg).toFixed(2)}×`, target: "" });
    rows.push({
      metric: "status-update frame time / idle",
      value: `${(run.avg / idle.avg).toFixed(2)}×`,
      target: "",
    });
    rows.push({
      metric: "page errors",
      value: String(errors.length),
      target: "0",
      pass: errors.length === 0,
    });
    for (const e of errors.slice(0, 5)) console.log(`  page error: ${e}`);
  } finally {
    await browser.close();
    if (child?.pid) {
      try {
        process.kill(child.pid);
      } catch {
        // already gone
      }
    }
  }

  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  console.log(
    `\nUI benchmark (${NODES}-node workflow in the builder; load average ${load} on ${os.cpus().length} cores)\n`,
  );
  const w = [44, 28, 12];
  console.log(`${"metric".padEnd(w[0]!)}${"value".padEnd(w[1]!)}${"target".padEnd(w[2]!)}result`);
  for (const r of rows) {
    const result = r.pass === undefined ? "" : r.pass ? "PASS" : "MISS";
    console.log(`${r.metric.padEnd(w[0]!)}${r.value.padEnd(w[1]!)}${r.target.padEnd(w[2]!)}${result}`);
  }
}

main().catch((err: unknown) => {
  console.error("ui benchmark failed:", err instanceof Error ? err.message : err);
  process.exitCode = 0;
});
