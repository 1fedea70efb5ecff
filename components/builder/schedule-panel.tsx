"use client";

import { useMemo } from "react";
import type { EditorNode } from "@/lib/editor/types";
import { nextRuns, scheduleProblem, type TriggerSchedule } from "@/lib/workflow/schedule";
import { useStores, useValidation } from "./editor-context";

const EMPTY: Record<string, string> = {};
const DEFAULT_CRON = "0 * * * *";

/**
 * A trigger's schedule: a five-field cron expression and a time zone, with the next run times
 * shown as you type. Saved with the workflow; drains start each slot as a queued run.
 */
export function SchedulePanel({ node }: { node: EditorNode }) {
  const { editor } = useStores();
  const errors = useValidation((s) => s.grouped.byNode[node.id] ?? EMPTY);
  const schedule = node.config.schedule as TriggerSchedule | undefined;
  const set = (next: TriggerSchedule | undefined) =>
    editor.getState().setConfigValue(node.id, "schedule", next);
  const endEdit = () => editor.getState().endEdit();
  const cron = schedule?.cron;
  const timezone = schedule?.timezone;
  const upcoming = useMemo(() => {
    if (cron === undefined) return [];
    const candidate = { cron, ...(timezone ? { timezone } : {}) };
    return scheduleProblem(candidate) ? [] : nextRuns(candidate, new Date(), 3);
  }, [cron, timezone]);
  const cronError = errors["config.schedule.cron"] ?? errors["config.schedule"];
  const zoneError = errors["config.schedule.timezone"];
  const zone = timezone ?? "UTC";
  const format = (d: Date) =>
    d.toLocaleString("en-GB", { timeZone: zone, dateStyle: "medium", timeStyle: "short" });

  return (
    <section aria-label="Schedule" data-testid="schedule-panel" data-enabled={schedule ? "true" : "false"}>
      <h3 className="bn-section">Schedule</h3>
      <div className="bn-field is-inline">
        <label htmlFor="bn-schedule-enabled">Run on a schedule</label>
        <input
          id="bn-schedule-enabled"
          type="checkbox"
          checked={schedule !== undefined}
          data-testid="schedule-enabled"
          onChange={(e) => set(e.target.checked ? { cron: DEFAULT_CRON } : undefined)}
        />
      </div>
      {schedule ? (
        <>
          <div className={`bn-field${cronError ? " has-error" : ""}`}>
            <label htmlFor="bn-schedule-cron">Cron (minute hour day month weekday)</label>
            <input
              id="bn-schedule-cron"
              type="text"
              className="bn-mono"
              value={schedule.cron}
              placeholder={DEFAULT_CRON}
              data-testid="schedule-cron"
              aria-invalid={cronError ? true : undefined}
              onChange={(e) => set({ ...schedule, cron: e.target.value })}
              onBlur={endEdit}
            />
            {cronError ? (
              <p className="bn-field-error" role="alert">
                {cronError}
              </p>
            ) : null}
          </div>
          <div className={`bn-field${zoneError ? " has-error" : ""}`}>
            <label htmlFor="bn-schedule-timezone">Time zone</label>
            <input
              id="bn-schedule-timezone"
              type="text"
              value={schedule.timezone ?? ""}
              placeholder="UTC"
              data-testid="schedule-timezone"
              aria-invalid={zoneError ? true : undefined}
              onChange={(e) =>
                set({
                  cron: schedule.cron,
                  ...(e.target.value.trim() ? { timezone: e.target.value.trim() } : {}),
                })
              }
              onBlur={endEdit}
            />
            {zoneError ? (
              <p className="bn-field-error" role="alert">
                {zoneError}
              </p>
            ) : null}
          </div>
          {upcoming.length > 0 ? (
            <p className="bn-muted" data-testid="schedule-next">
              Next: {upcoming.map(format).join(" · ")} ({zone})
            </p>
          ) : null}
          <p className="bn-muted">
            Each slot starts a queued run with <code>inputs.scheduledAt</code>, once the workflow is saved:
            within a second with a worker or the embedded server, at the minute on Vercel's cron.
          </p>
        </>
      ) : null}
    </section>
  );
}
