import "server-only";
import type { Database } from "@/lib/db/client";
import { QUEUE_CHANNEL } from "@/lib/queue/notify-queue";
import { createOwnerName, type DrainOptions, type DrainResult, drainQueue } from "./drain";
import { fireDueSchedules } from "./schedules";
import { wakeDrainers } from "./wake";

export interface DrainLoopOptions {
  concurrency?: number;
  /** Fallback poll for due retries, expired leases and schedule slots (default 1000 ms). */
  pollMs?: number;
  /** Stop claiming; running executions yield at their next node boundary and are requeued. */
  stopSignal: AbortSignal;
  owner?: string;
}

/**
 * One drain, as the cron route, the worker and embedded mode all run it: due schedule slots are
 * started first (a failure there is logged, never fatal), then the queue is drained (`drainQueue`).
 */
export async function drainOnce(database: Database, options: DrainOptions = {}): Promise<DrainResult> {
  await fireDueSchedules(database).catch((err) => console.error("firing schedules failed:", err));
  return drainQueue(database, options);
}

/**
 * A long-running drain (the worker, embedded mode): it LISTENs on the queue channel so work
 * queued by any process starts at once, polls as a fallback, and returns totals once
 * `stopSignal` aborts and every run it holds has finished or yielded.
 */
export async function runDrainLoop(database: Database, options: DrainLoopOptions): Promise<DrainResult> {
  let unlisten: (() => Promise<void>) | undefined;
  try {
    if (database.kind === "postgres") {
      const sub = await database.client.listen(QUEUE_CHANNEL, () => wakeDrainers());
      unlisten = () => sub.unlisten();
    } else {
      unlisten = await database.client.listen(QUEUE_CHANNEL, () => wakeDrainers());
    }
  } catch (err) {
    console.error("LISTEN failed; polling only:", err);
  }
  // The poll also starts due schedule slots (the enqueue wakes this loop in turn).
  let firing: Promise<void> | undefined;
  const poll = setInterval(() => {
    wakeDrainers();
    firing ??= fireDueSchedules(database)
      .then(() => {})
      .catch((err) => console.error("firing schedules failed:", err))
      .finally(() => {
        firing = undefined;
      });
  }, options.pollMs ?? 1000);
  try {
    return await drainOnce(database, {
      owner: options.owner ?? createOwnerName("worker"),
      budgetMs: Number.POSITIVE_INFINITY,
      concurrency: options.concurrency,
      stopSignal: options.stopSignal,
      waitForWork: true,
    });
  } finally {
    clearInterval(poll);
    await firing;
    await unlisten?.().catch(() => {});
  }
}
