import "server-only";
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import type { Database } from "@/lib/db/client";
import { connectionBackoffMs } from "@/lib/db/connection-errors";
import { getEnv } from "@/lib/env";
import { claimExecutions } from "@/lib/queue/claim-executions";
import { pruneExecutions } from "@/lib/queue/prune-executions";
import { runExecution } from "./run-execution";
import { onWake } from "./wake";

/** What one drain did (the body of `/api/cron/drain`). */
export interface DrainResult {
  claimed: number;
  /** Runs that reached a terminal status or were paused. */
  finished: number;
  /** Runs handed back to the queue, with their checkpoints, when the budget ran out. */
  requeued: number;
}

export interface DrainOptions {
  /** Lease owner name (default: host, pid and a random suffix). */
  owner?: string;
  /** Time budget (default DRAIN_BUDGET_MS); `Infinity` for a long-running worker. */
  budgetMs?: number;
  /** Executions run at once (default 16). */
  concurrency?: number;
  leaseMs?: number;
  /** Stop claiming; running executions yield at their next node boundary and are requeued. */
  stopSignal?: AbortSignal;
  /** Keep waiting for work (woken in-process) instead of returning when the queue is empty. */
  waitForWork?: boolean;
  /** Executions older than EXECUTION_RETENTION_DAYS pruned per drain (default 100; 0: none). */
  pruneBatch?: number;
}

/** Host, pid and a random tag, once per process: the part of owner names no call changes. */
let processTag: string | undefined;
let ownerCount = 0;

/**
 * A lease owner name unique to this process and call: `<prefix>:<host>:<pid>:<tag>.<n>`. Every
 * immediate run takes one, so the random part is drawn once per process and a counter follows.
 */
export function createOwnerName(prefix = "drain"): string {
  processTag ??= `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  return `${prefix}:${processTag}.${(++ownerCount).toString(36)}`;
}

/**
 * Claims and runs executions until the queue is empty or the budget is spent.
 *
 * It keeps up to `concurrency` runs in flight and claims exactly as many as there are free slots,
 * in one statement, whenever a run ends or `wakeDrainers()` announces new work. Claiming stops at
 * the budget's safety margin (a fifth of the budget, at most 10 s); runs still going are then asked
 * to yield and go back to the queue with their checkpoints, so the call returns before the
 * platform's time limit. A run whose lease was taken over (`lost`) counts in neither column.
 */
export async function drainQueue(database: Database, options: DrainOptions = {}): Promise<DrainResult> {
  const env = getEnv();
  const owner = options.owner ?? createOwnerName();
  const budgetMs = options.budgetMs ?? env.DRAIN_BUDGET_MS;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const leaseMs = options.leaseMs ?? env.EXECUTION_LEASE_MS;
  const started = Date.now();
  const margin = Number.isFinite(budgetMs) ? Math.min(10_000, budgetMs / 5) : 0;
  const claimUntil = started + budgetMs - margin;
  const result: DrainResult = { claimed: 0, finished: 0, requeued: 0 };

  const hardDeadline = Number.isFinite(budgetMs) ? started + budgetMs - margin / 2 : undefined;
  const deadline = Number.isFinite(budgetMs) ? claimUntil : undefined;
  const stop = options.stopSignal ?? new AbortController().signal;
  // Every run in flight listens on `stop`.
  setMaxListeners(0, stop);

  let signalled = false;
  let wakeUp: (() => void) | undefined;
  const wake = () => {
    signalled = true;
    wakeUp?.();
  };
  const offWake = onWake(wake);
  stop.addEventListener("abort", wake, { once: true });
  const budgetTimer =
    deadline === undefined ? undefined : setTimeout(wake, Math.max(0, deadline - Date.now()));
  const claiming = () => !stop.aborted && (deadline === undefined || Date.now() < deadline);

  const pruneBatch = options.pruneBatch ?? 100;
  if (pruneBatch > 0) {
    await pruneExecutions(database.db, {
      retentionDays: env.EXECUTION_RETENTION_DAYS,
      batchSize: pruneBatch,
    }).catch((err) => console.error("pruning executions failed:", err));
  }

  const inFlight = new Set<Promise<void>>();
  let claimFailures = 0;
  try {
    while (claiming()) {
      signalled = false;
      const free = concurrency - inFlight.size;
      let claimedNow = 0;
      if (free > 0) {
        let claims: Awaited<ReturnType<typeof claimExecutions>>;
        try {
          claims = await claimExecutions(database.db, { owner, limit: free, leaseMs });
          claimFailures = 0;
        } catch (err) {
          // The database is unreachable (or the claim failed otherwise): keep the runs in flight,
          // wait and claim again. Rows a lost claim may have taken come back when their lease expires.
          if (claimFailures++ === 0) console.error("claiming executions failed; retrying:", err);
          await new Promise((r) => setTimeout(r, connectionBackoffMs(claimFailures)));
          continue;
        }
        claimedNow = claims.length;
        result.claimed += claims.length;
        for (const claim of claims) {
          const run: Promise<void> = runExecution(database, claim, {
            leaseMs,
            deadline,
            hardDeadline,
            stopSignal: stop,
          })
            .then((r) => {
              if (r.status === "queued") result.requeued++;
              else if (r.status !== "lost") result.finished++;
            })
            .catch((err) => console.error(`execution ${claim.id} crashed its runner:`, err))
            .finally(() => {
              inFlight.delete(run);
              wake();
            });
          inFlight.add(run);
        }
      }
      if (claimedNow > 0 && claimedNow === free) continue;
      if (inFlight.size === 0 && !options.waitForWork && !signalled) break;
      if (signalled) continue;
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        if (signalled || !claiming()) resolve();
      });
      wakeUp = undefined;
    }
    offWake();
    await Promise.all(inFlight);
  } finally {
    offWake();
    if (budgetTimer) clearTimeout(budgetTimer);
    stop.removeEventListener("abort", wake);
  }
  return result;
}
