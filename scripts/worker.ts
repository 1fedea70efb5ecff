/**
 * `npm run worker`: a long-running drainer for self-hosting. It LISTENs for queued work (polling
 * once a second as a fallback), runs up to WORKER_CONCURRENCY executions at once (default 16),
 * and on SIGTERM/SIGINT stops claiming: running executions yield at their next node boundary and
 * go back to the queue with their checkpoints. A second signal exits at once (leases then expire
 * and another drainer takes over). lib/ modules import "server-only", so scripts run under the
 * react-server condition (`tsx --conditions=react-server`, as package.json does).
 */
import { getDatabase } from "@/lib/db/client";
import { installDriverRejectionGuard } from "@/lib/db/driver-rejections";
import { runDrainLoop } from "@/lib/runs/drain-loop";
import { installExpressionIsolate } from "@/lib/sandbox/expression-isolate";
import { installLogGuard } from "@/lib/security/log-guard";

installLogGuard();
installDriverRejectionGuard();
installExpressionIsolate();

const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 16);
const stop = new AbortController();
let signals = 0;
const onSignal = (signal: string) => {
  signals++;
  if (signals > 1) process.exit(1);
  console.log(`worker: ${signal}, finishing or requeueing running executions…`);
  stop.abort();
};
process.on("SIGTERM", () => onSignal("SIGTERM"));
process.on("SIGINT", () => onSignal("SIGINT"));

const database = await getDatabase();
console.log(
  `worker: draining ${database.kind === "postgres" ? "Postgres" : "embedded PGlite"} (concurrency ${concurrency})`,
);
const totals = await runDrainLoop(database, { stopSignal: stop.signal, concurrency });
console.log(`worker: stopped — ${JSON.stringify(totals)}`);
await database.close();
process.exit(0);
