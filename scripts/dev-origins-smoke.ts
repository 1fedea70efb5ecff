/**
 * Smoke test of `next dev` from both usual local origins (issue 18: opened at 127.0.0.1 the builder
 * rendered dead, because Next blocked its dev resources for that origin). Starts `next dev` on its own
 * port, PGlite directory and dist dir, creates a workflow through the API, opens the builder at
 * http://localhost:<port> and http://127.0.0.1:<port> in Chromium, and requires the canvas to draw the
 * workflow's nodes and the palette to add one. Exits non-zero on failure.
 *
 *   npx tsx scripts/dev-origins-smoke.ts            (DEV_SMOKE_PORT, default 3195)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";

const port = Number(process.env.DEV_SMOKE_PORT ?? 3195);
// `next dev` rewrites tsconfig.json and next-env.d.ts for its dist dir; both are put back at the end.
const kept = ["tsconfig.json", "next-env.d.ts"].map((f) => [f, readFileSync(f, "utf8")] as const);
const dataDir = mkdtempSync(path.join(tmpdir(), "braid-dev-smoke-"));
const server = spawn("npx", ["next", "dev", "-p", String(port), "-H", "127.0.0.1"], {
  env: {
    ...process.env,
    PGLITE_DATA_DIR: path.join(dataDir, "pglite"),
    NEXT_DIST_DIR: ".next-dev-smoke",
    DATABASE_URL: "",
    APP_PASSWORD: "",
  },
  stdio: ["ignore", "pipe", "pipe"],
  detached: true,
});
let log = "";
server.stdout.on("data", (d) => (log += d));
server.stderr.on("data", (d) => (log += d));

async function waitForServer(): Promise<void> {
  const end = Date.now() + 600_000;
  while (Date.now() < end) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/workflows`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`next dev did not answer:\n${log.slice(-2000)}`);
}

async function main(): Promise<void> {
  await waitForServer();
  const created = await fetch(`http://127.0.0.1:${port}/api/workflows`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      version: 1,
      name: "Dev origins",
      nodes: [
        { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
        { id: "out", type: "output", config: {}, position: { x: 300, y: 0 } },
      ],
      edges: [{ source: "start", target: "out" }],
    }),
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const browser = await chromium.launch({
    executablePath: process.env.E2E_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  try {
    for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`]) {
      const page = await browser.newPage();
      await page.goto(`${origin}/workflows/${id}`, { timeout: 600_000, waitUntil: "domcontentloaded" });
      const nodes = page.locator(".react-flow__node");
      await nodes.first().waitFor({ state: "visible", timeout: 300_000 });
      const before = await nodes.count();
      if (before !== 2) throw new Error(`${origin}: the canvas drew ${before} nodes, expected 2`);
      await page.getByTestId("palette-delay").click();
      await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node").length > n, before, {
        timeout: 60_000,
      });
      console.log(`${origin}: live builder (canvas drew the nodes; the palette added one)`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

main()
  .then(() => {
    console.log("PASS");
  })
  .catch((err) => {
    console.error("FAIL:", err instanceof Error ? err.message : err);
    process.exitCode = 1;
  })
  .finally(() => {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
    for (const [file, text] of kept) writeFileSync(file, text);
  });
