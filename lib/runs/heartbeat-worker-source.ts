/**
 * The program of the heartbeat thread (lib/runs/heartbeat.ts), as CommonJS text for
 * `new Worker(source, { eval: true })`, like the sandbox workers: no bundler support is needed for
 * a worker entry point. It opens its own postgres.js connection (loaded from the project's
 * node_modules, `workerData.base`) to `workerData.url` and runs each beat's statement (the one of
 * lib/queue/heartbeat-execution.ts, rendered to text and parameters by the main thread) on a timer
 * of its own, so a main event loop busy with user work does not stop the lease from being renewed.
 *
 * Messages in: `start` { key, text, params, intervalMs, maxStallMs }, `stop` { key }, `tick` (the
 * main loop is alive). Out: `beat` { key, control }, `lost` { key }, `error` { key, message },
 * `stopped` { key }. A beat is skipped while the main loop has not ticked for `maxStallMs`: a
 * process stuck for good lets its leases lapse, so another runner can take its executions over.
 */
export const HEARTBEAT_WORKER_SOURCE = String.raw`
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { createRequire } = require("node:module");
const load = createRequire(workerData.base);
const postgres = load("postgres");
// The beat statement has scalar parameters and results only, so the array-types query a new
// connection would open with is skipped: its promise is one postgres.js drops (porsager/postgres#1192),
// and a connection ended during it (a restart) would end this thread with an unhandled rejection.
const sql = postgres(workerData.url, {
  max: 2,
  fetch_types: false,
  onnotice: () => {},
  prepare: true,
  idle_timeout: 30,
  connection: { application_name: "braid-heartbeat" },
});
const beats = new Map();
let lastTick = Date.now();

function firstLine(err) {
  const message = err && typeof err.message === "string" ? err.message : String(err);
  return message.split("\n")[0].slice(0, 500);
}

async function beat(key, entry) {
  if (entry.beating || entry.stopped) return;
  if (Date.now() - lastTick > entry.maxStallMs) return;
  entry.beating = (async () => {
    try {
      const rows = await sql.unsafe(entry.text, entry.params, { prepare: true });
      if (entry.stopped) return;
      if (rows.length === 0) {
        entry.stopped = true;
        clearInterval(entry.timer);
        beats.delete(key);
        parentPort.postMessage({ type: "lost", key });
      } else {
        parentPort.postMessage({ type: "beat", key, control: rows[0].control ?? null });
      }
    } catch (err) {
      if (!entry.stopped) parentPort.postMessage({ type: "error", key, message: firstLine(err) });
    }
  })();
  await entry.beating;
  entry.beating = undefined;
}

parentPort.on("message", async (msg) => {
  if (msg.type === "tick") {
    lastTick = Date.now();
  } else if (msg.type === "start") {
    lastTick = Date.now();
    const entry = { text: msg.text, params: msg.params, maxStallMs: msg.maxStallMs, stopped: false };
    entry.timer = setInterval(() => void beat(msg.key, entry), msg.intervalMs);
    beats.set(msg.key, entry);
  } else if (msg.type === "stop") {
    const entry = beats.get(msg.key);
    if (entry) {
      entry.stopped = true;
      clearInterval(entry.timer);
      beats.delete(msg.key);
      await entry.beating;
    }
    parentPort.postMessage({ type: "stopped", key: msg.key });
  }
});
`;
