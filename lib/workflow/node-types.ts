import { z } from "zod";
import { scheduleProblem } from "./schedule";

/**
 * Every node type Braid knows: its config schema, the handles it offers and how the palette
 * labels it. Adding a node type touches this file, its executor in `lib/engine/executors/`,
 * and tests — nothing else.
 */

const expression = z.string().trim().min(1, "expression is required").max(20_000);
const templated = z.string().max(100_000);

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
export const triggerConfig = z.strictObject({ schedule: triggerSchedule.optional() });
export const httpConfig = z.strictObject({
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
  url: z.string().trim().min(1, "url is required").max(8_000),
  headers: z.record(z.string().min(1).max(256), templated).optional(),
  query: z.record(z.string().min(1).max(256), templated).optional(),
  body: z.unknown().optional(),
  timeoutMs: z.int().min(1).max(300_000).optional(),
});
export const llmConfig = z.strictObject({
  model: z.string().trim().min(1, "model is required").max(200),
  prompt: z.string().min(1, "prompt is required").max(200_000),
  system: z.string().max(200_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.int().min(1).max(200_000).optional(),
  json: z.boolean().optional(),
  cache: z.boolean().optional(),
  cacheTtlSeconds: z
    .int()
    .min(1)
    .max(30 * 86_400)
    .optional(),
});
export const conditionConfig = z.strictObject({ expression });
export const filterConfig = z.strictObject({ items: expression, where: expression });
export const transformConfig = z.strictObject({ expression });
export const mergeConfig = z.strictObject({ mode: z.enum(["object", "array"]).optional() });
export const delayConfig = z.strictObject({ ms: z.int().min(0).max(86_400_000) });
export const emailConfig = z.strictObject({
  to: z.union([
    z.string().trim().min(1).max(2_000),
    z.array(z.string().trim().min(1).max(320)).min(1).max(100),
  ]),
  subject: z.string().max(2_000),
  text: templated,
  html: templated.optional(),
});
export const outputConfig = z.strictObject({ value: expression.optional() });

/** A node type's static description. `handles` lists the source handles of a node of this type. */
export interface NodeTypeDefinition<C extends z.ZodType = z.ZodType> {
  type: string;
  label: string;
  description: string;
  config: C;
  /** Source handles besides `error` (added when `onError` is "branch"). */
  handles: readonly string[];
  /** Config a freshly added node starts with (must pass `config`). */
  defaults: z.infer<C>;
}

function define<C extends z.ZodType>(def: NodeTypeDefinition<C>): NodeTypeDefinition<C> {
  return def;
}

export const nodeTypes = {
  trigger: define({
    type: "trigger",
    label: "Trigger",
    description: "Starts a run with its inputs, a webhook body, or on a schedule.",
    config: triggerConfig,
    handles: ["out"],
    defaults: {},
  }),
  http: define({
    type: "http",
    label: "HTTP request",
    description: "Calls a URL; the body is parsed when it is JSON.",
    config: httpConfig,
    handles: ["out"],
    defaults: { method: "GET", url: "https://example.com" },
  }),
  llm: define({
    type: "llm",
    label: "LLM",
    description: "Asks an OpenAI-compatible model; responses are cached.",
    config: llmConfig,
    handles: ["out"],
    defaults: { model: "gpt-4o-mini", prompt: "Summarize: {{ input }}" },
  }),
  condition: define({
    type: "condition",
    label: "Condition",
    description: "Routes its input to the true or false handle.",
    config: conditionConfig,
    handles: ["true", "false"],
    defaults: { expression: "true" },
  }),
  filter: define({
    type: "filter",
    label: "Filter",
    description: "Keeps the items for which `where` holds ($item is the element).",
    config: filterConfig,
    handles: ["out"],
    defaults: { items: "input.items", where: "$item != null" },
  }),
  transform: define({
    type: "transform",
    label: "Transform",
    description: "Computes a new value with a JSONata expression.",
    config: transformConfig,
    handles: ["out"],
    defaults: { expression: "input" },
  }),
  merge: define({
    type: "merge",
    label: "Merge",
    description: "Joins its inputs into one object (by node id) or one array.",
    config: mergeConfig,
    handles: ["out"],
    defaults: { mode: "object" },
  }),
  delay: define({
    type: "delay",
    label: "Delay",
    description: "Waits, then passes its input on.",
    config: delayConfig,
    handles: ["out"],
    defaults: { ms: 1000 },
  }),
  email: define({
    type: "email",
    label: "Email",
    description: "Sends an email over SMTP.",
    config: emailConfig,
    handles: ["out"],
    defaults: { to: "someone@example.com", subject: "Hello", text: "{{ input }}" },
  }),
  output: define({
    type: "output",
    label: "Output",
    description: "Names a result of the run.",
    config: outputConfig,
    handles: [],
    defaults: {},
  }),
} as const;

export type NodeType = keyof typeof nodeTypes;
export const NODE_TYPES = Object.keys(nodeTypes) as NodeType[];

export type TriggerConfig = z.infer<typeof triggerConfig>;
export type HttpConfig = z.infer<typeof httpConfig>;
export type LlmConfig = z.infer<typeof llmConfig>;
export type ConditionConfig = z.infer<typeof conditionConfig>;
export type FilterConfig = z.infer<typeof filterConfig>;
export type TransformConfig = z.infer<typeof transformConfig>;
export type MergeConfig = z.infer<typeof mergeConfig>;
export type DelayConfig = z.infer<typeof delayConfig>;
export type EmailConfig = z.infer<typeof emailConfig>;
export type OutputConfig = z.infer<typeof outputConfig>;

/** Source handles of a node, including `error` when it routes failures. */
export function handlesOf(node: { type: string; onError?: string }): string[] {
  const def = nodeTypes[node.type as NodeType];
  if (!def) return [];
  const handles = [...def.handles];
  if (node.onError === "branch") handles.push("error");
  return handles;
}

/** The handle an edge leaves from when it names none. */
export function defaultHandleOf(node: { type: string }): string | undefined {
  const def = nodeTypes[node.type as NodeType];
  return def?.handles.includes("out") ? "out" : undefined;
}
