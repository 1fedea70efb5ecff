import { z } from "zod";
import { WorkflowDefinition } from "@/lib/workflow/schema";
import conditionSkips from "./condition-skips.json";
import csvStatsCode from "./csv-stats-code.json";
import delaySteps from "./delay-steps.json";
import errorBranch from "./error-branch.json";
import fanOutMerge from "./fan-out-merge.json";
import filterTransform from "./filter-transform.json";
import llmSummary from "./llm-summary.json";
import loopOrders from "./loop-orders.json";

/** An example workflow of the home page's gallery, stored as JSON next to this file. */
export const WorkflowTemplate = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1).max(80),
  description: z.string().min(1).max(400),
  tags: z.array(z.string()).max(6),
  /** The setting a run needs (an API key), when it cannot run on a fresh install. */
  needsKey: z.string().optional(),
  definition: WorkflowDefinition,
  /** What a run with no inputs gives (checked by the templates' test). */
  expect: z
    .strictObject({
      status: z.enum(["succeeded", "failed"]),
      outputs: z.record(z.string(), z.unknown()).optional(),
      skipped: z.array(z.string()).optional(),
    })
    .optional(),
});
export type WorkflowTemplate = z.infer<typeof WorkflowTemplate>;

/** Every template, in the gallery's order; parsed once, so a broken file fails at load. */
export const TEMPLATES: readonly WorkflowTemplate[] = [
  fanOutMerge,
  conditionSkips,
  filterTransform,
  csvStatsCode,
  delaySteps,
  errorBranch,
  loopOrders,
  llmSummary,
].map((t) => WorkflowTemplate.parse(t));

/** The template with this id, if any. */
export function findTemplate(id: string): WorkflowTemplate | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
