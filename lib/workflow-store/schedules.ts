import "server-only";
import { and, eq, notInArray, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { schedules } from "@/lib/db/schema";
import type { TriggerConfig } from "@/lib/nodes/trigger/trigger-node";
import { nextRuns } from "@/lib/workflow/schedule";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

/**
 * Mirrors a saved definition's scheduled triggers into `schedules`: rows of triggers that lost
 * their schedule (or were removed) go, new ones get their next slot after `now`, and unchanged
 * ones keep theirs, so saving never shifts or repeats a run.
 */
export async function syncSchedules(
  db: Db,
  workflowId: string,
  definition: WorkflowDefinition,
  now = new Date(),
): Promise<void> {
  const wanted = definition.nodes.flatMap((node) => {
    const schedule = node.type === "trigger" ? (node.config as TriggerConfig).schedule : undefined;
    if (!schedule) return [];
    const { cron, timezone } = schedule;
    const [next] = nextRuns({ cron, timezone }, now);
    return next
      ? [{ workflowId, triggerId: node.id, cron, timezone: timezone ?? null, nextRunAt: next }]
      : [];
  });
  const keep = wanted.map((w) => w.triggerId);
  await db
    .delete(schedules)
    .where(
      keep.length > 0
        ? and(eq(schedules.workflowId, workflowId), notInArray(schedules.triggerId, keep))
        : eq(schedules.workflowId, workflowId),
    );
  if (wanted.length === 0) return;
  await db
    .insert(schedules)
    .values(wanted)
    .onConflictDoUpdate({
      target: [schedules.workflowId, schedules.triggerId],
      set: {
        cron: sql`excluded.cron`,
        timezone: sql`excluded.timezone`,
        nextRunAt: sql`case when ${schedules.cron} = excluded.cron
          and ${schedules.timezone} is not distinct from excluded.timezone
          then ${schedules.nextRunAt} else excluded.next_run_at end`,
      },
    });
}
