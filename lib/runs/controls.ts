import "server-only";
import { AppError, notFound } from "@/lib/api/errors";
import type { Database } from "@/lib/db/client";
import { createEventWriter } from "@/lib/events/store";
import { cancelExecution } from "@/lib/queue/cancel-execution";
import type { ControlResult } from "@/lib/queue/control-result";
import { notifyQueue } from "@/lib/queue/notify-queue";
import { pauseExecution } from "@/lib/queue/pause-execution";
import { resumeExecution } from "@/lib/queue/resume-execution";
import { retryExecution } from "@/lib/queue/retry-execution";
import { liveChildrenOf, resolveChildWaits } from "./children";
import { getExecutionDetail } from "./get-execution";
import { kickDrain } from "./kick-drain";

export type ControlAction = "cancel" | "pause" | "resume" | "retry";

/** The answer to a control: the status now, and the request left for the runner when it holds the run. */
export interface ControlAnswer {
  executionId: string;
  status: string;
  /** `cancel` or `pause` while the runner has yet to honour it. */
  control: string | null;
}

const statements = {
  cancel: cancelExecution,
  pause: pauseExecution,
  resume: resumeExecution,
  retry: retryExecution,
} satisfies Record<ControlAction, (db: Database["db"], id: string) => Promise<ControlResult | undefined>>;

const allowed: Record<ControlAction, string> = {
  cancel: "a queued, running, paused or waiting execution",
  pause: "a queued, running or waiting execution",
  resume: "a paused execution (or one with a pause still pending)",
  retry: "a failed or cancelled execution",
};

/**
 * Applies a control (SPEC §3 `/cancel`, `/pause`, `/resume`, `/retry`) in one statement. A running
 * execution's runner learns about a cancel or pause from its next heartbeat, whichever process it
 * runs in; queued and paused ones change at once. Wrong state → 409 `invalid_state`.
 */
export async function controlExecution(
  database: Database,
  id: string,
  action: ControlAction,
): Promise<ControlAnswer> {
  if (action === "retry") {
    const detail = await getExecutionDetail(database.db, id);
    if (detail?.nodeId) {
      throw new AppError(409, "invalid_state", "a single-node run cannot be retried; run the node again");
    }
  }
  const result = await statements[action](database.db, id);
  if (!result) throw notFound(`execution "${id}"`);
  // Cancel, pause and resume reach the children a parent's workflow nodes started.
  if (result.changed && (action === "cancel" || action === "pause" || action === "resume")) {
    // Each child's own control reaches its children in turn.
    for (const child of await liveChildrenOf(database, id))
      await controlExecution(database, child, action).catch(() => {});
  }
  if (!result.changed) {
    throw new AppError(
      409,
      "invalid_state",
      `cannot ${action} a ${result.previous} execution: needs ${allowed[action]}`,
    );
  }
  // A child cancelled at once (it was not running) wakes its parent now; a running one, which only
  // gets `control = 'cancel'`, does when its runner ends.
  if (result.status === "cancelled") await resolveChildWaits(database, id);
  if (result.status === "queued") {
    await announce(database, id, "queued");
    await notifyQueue(database.db);
    kickDrain(database);
  } else if (result.status !== result.previous) {
    await announce(database, id, result.status);
  }
  return { executionId: id, status: result.status, control: result.control };
}

async function announce(database: Database, id: string, status: string): Promise<void> {
  const detail = await getExecutionDetail(database.db, id);
  if (!detail) return;
  const writer = createEventWriter(database, id);
  writer.emit({
    type: "execution",
    status: status as "queued",
    at: new Date().toISOString(),
    progress: detail.progress,
  });
  await writer.flush();
}
