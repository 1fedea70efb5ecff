import "server-only";
import { getDatabase } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { runDrainLoop } from "./drain-loop";

const globalForDrain = globalThis as unknown as { __braidEmbeddedDrain?: AbortController };

/**
 * Embedded mode (no DATABASE_URL: PGlite inside this one process): runs the drain loop in the
 * app itself, so queued work, resumed runs and runs whose runner died before a restart are picked
 * up without a worker or a cron. With Postgres, the cron route and `npm run worker` drain instead.
 * Started once per process. No signal handlers here (they would override Next's): runs cut short by
 * a shutdown are recovered when their lease expires.
 */
export function startEmbeddedDrain(): void {
  if (getEnv().DATABASE_URL || globalForDrain.__braidEmbeddedDrain) return;
  const stop = new AbortController();
  globalForDrain.__braidEmbeddedDrain = stop;
  void getDatabase()
    .then((database) => runDrainLoop(database, { stopSignal: stop.signal, concurrency: 8 }))
    .catch((err) => console.error("embedded drain loop stopped:", err))
    .finally(() => {
      if (globalForDrain.__braidEmbeddedDrain === stop) globalForDrain.__braidEmbeddedDrain = undefined;
    });
}
