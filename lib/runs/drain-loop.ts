import "server-only";
import type { Database } from "@/lib/db/client";
import { QUEUE_CHANNEL } from "@/lib/queue/notify-queue";
import { resolveChildWaits } from "./children";
import { createOwnerName, type DrainOptions, type DrainResult, drainQueue } from "./drain";
import { fireDueSchedules } from "./schedules";
import { nextWakeAt, requeueResumed, wakeDueWaits } from "./waits";
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
 * What is due besides the queue: schedule slots are started, due waits (timers, timeouts) resolved
 * parents of ended children woken, and executions whose resume was not followed by its requeue
 * (a crash in between) queued. Each failure is logged, never fatal.
 */
async function fireDueWork(database: Database): Promise<void> {
  await fireDueSchedules(database).catch((err) => console.error("firing schedules failed:", err));
  await wakeDueWaits(database).catch((err) => console.error("waking due waits failed:", err));
  await resolveChildWaits(database).catch((err) => console.error("waking parents failed:", err));
  await requeueResumed(database).catch((err) => console.error("requeueing resumed executions failed:", err));
}

/**
 * One drain, as the cron route, the worker and embedded mode all run it: due work is fired first
 * (`fireDueWork`), then the queue is drained (`drainQueue`).
 */
export async function drainOnce(database: Database, options: DrainOptions = {}): Promise<DrainResult> {
  await fireDueWork(database);
  return drainQueue(database, options);
}

/**
 * Fires due work (`fireDueWork`), then arms `timer` for the next
 * wait due before the next poll, so a timer fires on time rather than up to a poll late.
 */
async function tick(
  database: Database,
  pollMs: number,
  timer: { handle?: ReturnType<typeof setTimeout> },
  again: () => void,
) {
  await fireDueWork(database);
  const next = await nextWakeAt(database.db).catch(() => undefined);
  if (timer.handle) clearTimeout(timer.handle);
  timer.handle = undefined;
  if (next) {
    const inMs = next.getTime() - Date.now();
    if (inMs < pollMs) timer.handle = setTimeout(again, Math.max(0, inMs));
  }
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
  // The poll also starts due schedule slots and wakes due waits (the enqueue wakes this loop in turn).
  const pollMs = options.pollMs ?? 1000;
  const waitTimer: { handle?: ReturnType<typeof setTimeout> } = {};
  let firing: Promise<void> | undefined;
  const fire = () => {
    firing ??= tick(database, pollMs, waitTimer, fire).finally(() => {
      firing = undefined;
    });
  };
  const poll = setInterval(() => {
    wakeDrainers();
    fire();
  }, pollMs);
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
    if (waitTimer.handle) clearTimeout(waitTimer.handle);
    await firing;
    await unlisten?.().catch(() => {});
  }
}
