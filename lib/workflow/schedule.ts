import { Cron } from "croner";

/**
 * Schedules of triggers (`config.schedule`): a five-field cron expression (minute hour day month
 * weekday, as Vercel and crontab read it) and an optional IANA time zone (default UTC). Shared by
 * the browser (validation, preview) and the server (next run times). Built on croner.
 */
export interface TriggerSchedule {
  cron: string;
  timezone?: string;
}

function cronOf(schedule: TriggerSchedule): Cron {
  return new Cron(schedule.cron, { paused: true, timezone: schedule.timezone ?? "UTC", mode: "5-part" });
}

/** Why a schedule cannot run, naming the field, or undefined when it is fine. */
export function scheduleProblem(
  schedule: TriggerSchedule,
): { field: "cron" | "timezone"; message: string } | undefined {
  const fields = schedule.cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    return { field: "cron", message: "use five fields: minute hour day-of-month month day-of-week" };
  }
  if (schedule.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: schedule.timezone });
    } catch {
      return {
        field: "timezone",
        message: `"${schedule.timezone}" is not an IANA time zone (e.g. Europe/Paris)`,
      };
    }
  }
  try {
    if (!cronOf(schedule).nextRun()) return { field: "cron", message: "this expression never runs again" };
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, "") : String(err);
    return { field: "cron", message: `not a valid cron expression: ${reason}` };
  }
  return undefined;
}

/** The next `count` run times strictly after `from` (fewer when the expression runs out). */
export function nextRuns(schedule: TriggerSchedule, from: Date, count = 1): Date[] {
  return cronOf(schedule).nextRuns(count, from);
}
