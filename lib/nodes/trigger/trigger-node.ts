import { z } from "zod";
import { scheduleProblem } from "@/lib/workflow/schedule";
import { clip, defineNodeType, summaryText } from "../define";

/** A trigger's optional schedule: five-field cron, IANA time zone (default UTC). */
export const triggerSchedule = z
  .strictObject({
    cron: z.string().trim().min(1, "cron is required").max(120),
    timezone: z.string().trim().min(1).max(64).optional(),
  })
  .superRefine((schedule, ctx) => {
    const problem = scheduleProblem(schedule);
    if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
  });
export const TriggerConfig = z.strictObject({ schedule: triggerSchedule.optional() });
export type TriggerConfig = z.infer<typeof TriggerConfig>;

/** `trigger`: starts a run; outputs the run's inputs (or the webhook body, or `{ scheduledAt }`). */
export const triggerNode = defineNodeType({
  type: "trigger",
  label: "Trigger",
  description: "Starts a run with its inputs, a webhook body, or on a schedule.",
  glyph: "▶",
  color: "#4f46e5",
  config: TriggerConfig,
  handles: ["out"],
  defaults: {},
  fields: [],
  ownPanels: ["schedule"], // components/builder/schedule-panel.tsx
  summary(c) {
    const schedule = c.schedule as { cron?: unknown; timezone?: unknown } | undefined;
    if (!schedule) return "";
    const zone = schedule.timezone ? ` (${summaryText(schedule.timezone)})` : "";
    return clip(`every ${summaryText(schedule.cron)}${zone}`);
  },
  estimate: { typicalMs: 1 },
  sideEffects: false,
  startsRun: true,
  async execute(ctx) {
    return { output: ctx.scope.inputs };
  },
});
