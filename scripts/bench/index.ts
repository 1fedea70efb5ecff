/**
 * `npm run bench`: runs every benchmark part in sequence, each in its own process so that one
 * part's memory and timers never skew another's. Parts: engine, queue, events, llm, telemetry, security, ui, code, rerun, latency, loop, http, wait.
 * `npm run bench -- engine llm` runs only those.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const parts = [
  "engine",
  "queue",
  "events",
  "llm",
  "telemetry",
  "security",
  "ui",
  "code",
  "rerun",
  "latency",
  "loop",
  "http",
  "wait",
];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const selected = wanted.length > 0 ? parts.filter((p) => wanted.includes(p)) : parts;
const failures: string[] = [];
for (const part of selected) {
  const file = path.join(import.meta.dirname, `${part}.ts`);
  if (!existsSync(file)) {
    console.log(`\n### ${part}: not built yet (no ${path.relative(process.cwd(), file)})`);
    continue;
  }
  console.log(`\n### ${part}`);
  const res = spawnSync(
    process.execPath,
    ["--conditions=react-server", "--expose-gc", "--import", "tsx", file],
    {
      stdio: "inherit",
      env: process.env,
    },
  );
  if (res.status !== 0) failures.push(part);
}
if (failures.length > 0) {
  console.log(`\nbenchmark parts that crashed: ${failures.join(", ")}`);
  process.exit(1);
}
