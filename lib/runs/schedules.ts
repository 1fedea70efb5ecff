import "server-only";
import { and, asc, eq, lte } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { schedules } from "@/lib/db/schema";
import { nextRuns } from "@/lib/workflow/schedule";
import { startRun } from "./start-run";

/**
 * Starts the runs of every schedule slot that is due, as queued executions of its trigger with
 * `inputs: { scheduledAt }` and the tag `schedule`, then moves the schedule to its next slot after
 * `now`. Safe to call from any number of drainers at once: the idempotency key
 * `schedule:<trigger>:<slot>` gives one execution per slot, and only the caller whose
 * compare-and-set moves `next_run_at` counts it. A slot missed while nothing was draining runs
 * once (the latest), not once per missed slot. Returns how many slots this call started.
 */
export async function fireDueSchedules(database: Database, now = new Date(), limit = 100): Promise<number> {
  const { db } = database;
  const due = await db
    .select()
    .from(schedules)
    .where(lte(schedules.nextRunAt, now))
    .orderBy(asc(schedules.nextRunAt))
    .limit(limit);
  let fired = 0;
  for (const schedule of due) {
    const slot = schedule.nextRunAt.toISOString();
    try {
      await startRun(database, schedule.workflowId, {
        mode: "queued",
        triggerId: schedule.triggerId,
        idempotencyKey: `schedule:${schedule.triggerId}:${slot}`,
        tags: ["schedule"],
        inputs: { scheduledAt: slot },
      });
    } catch (err) {
      console.error(
        `schedule of trigger ${schedule.triggerId} (workflow ${schedule.workflowId}) failed to start:`,
        err,
      );
    }
    const [next] = nextRuns({ cron: schedule.cron, timezone: schedule.timezone ?? undefined }, now);
    const at = and(
      eq(schedules.workflowId, schedule.workflowId),
      eq(schedules.triggerId, schedule.triggerId),
      eq(schedules.nextRunAt, schedule.nextRunAt),
    );
    const moved = next
      ? await db.update(schedules).set({ nextRunAt: next }).where(at).returning({ id: schedules.triggerId })
      : await db.delete(schedules).where(at).returning({ id: schedules.triggerId });
    if (moved.length > 0) fired++;
  }
  return fired;
}
