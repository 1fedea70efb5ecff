import { z } from "zod";
import { type NodeModuleOf, type NodeType, nodeModules } from "@/lib/nodes/registry";

/** Limits of SPEC §1. */
export const LIMITS = {
  nameLength: 200,
  maxNodes: 2000,
  maxEdges: 10_000,
  maxBodyBytes: 5 * 1024 * 1024,
} as const;

export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const nodeId = z.string().regex(NODE_ID_PATTERN, "must match /^[A-Za-z_][A-Za-z0-9_]{0,63}$/");

export const RetryPolicy = z.strictObject({
  maxAttempts: z.int().min(1).max(20),
  backoffMs: z.int().min(0).max(3_600_000).optional(),
  backoffFactor: z.number().min(1).max(10).optional(),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

export const OnError = z.enum(["fail", "continue", "branch"]);
export type OnError = z.infer<typeof OnError>;

const nodeCommon = {
  id: nodeId,
  name: z.string().max(LIMITS.nameLength).optional(),
  position: z.strictObject({ x: z.number(), y: z.number() }).optional(),
  /** The loop whose body this node belongs to (React Flow's sub-flow field); its position is relative to it. */
  parentId: nodeId.optional(),
  /** The drawn size of a node that holds others (a loop's box). */
  size: z
    .strictObject({ width: z.number().min(0).max(100_000), height: z.number().min(0).max(100_000) })
    .optional(),
  retry: RetryPolicy.optional(),
  timeoutMs: z.int().min(1).max(86_400_000).optional(),
  onError: OnError.optional(),
};

type NodeSchemaOf<M extends { type: string; config: z.ZodType }> = z.ZodObject<
  typeof nodeCommon & { type: z.ZodLiteral<M["type"]>; config: M["config"] },
  z.core.$strict
>;
/** One node schema per module: `{ …common fields, type: literal, config: the module's schema }`. */
type NodeSchema = { [T in NodeType]: NodeSchemaOf<NodeModuleOf<T>> }[NodeType];
const nodeSchemaOf = (module: (typeof nodeModules)[number]) =>
  z.strictObject({ ...nodeCommon, type: z.literal(module.type), config: module.config });

/** A node of the workflow: a discriminated union on `type`, one member per node-type module. */
export const WorkflowNode = z.discriminatedUnion(
  "type",
  nodeModules.map(nodeSchemaOf) as unknown as readonly [NodeSchema, ...NodeSchema[]],
);
export type WorkflowNode = z.infer<typeof WorkflowNode>;
export type NodeOfType<T extends WorkflowNode["type"]> = Extract<WorkflowNode, { type: T }>;

export const WorkflowEdge = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  source: nodeId,
  target: nodeId,
  sourceHandle: z.string().min(1).max(64).nullable().optional(),
  targetHandle: z.string().min(1).max(64).nullable().optional(),
});
export type WorkflowEdge = z.infer<typeof WorkflowEdge>;

export const RunMode = z.enum(["auto", "immediate", "queued"]);
export type RunMode = z.infer<typeof RunMode>;

/** An LLM spending cap for one execution (SPEC §1 ⁺): tokens in and out, and/or USD. */
export const LlmBudget = z.strictObject({
  maxTokens: z.int().min(1).max(1_000_000_000).optional(),
  maxCostUsd: z.number().positive().max(1_000_000).optional(),
});
export type LlmBudget = z.infer<typeof LlmBudget>;

export const WorkflowSettings = z.strictObject({
  maxConcurrency: z.int().min(1).max(1024).optional(),
  timeoutMs: z
    .int()
    .min(1)
    .max(7 * 86_400_000)
    .optional(),
  mode: RunMode.optional(),
  budget: LlmBudget.optional(),
});
export type WorkflowSettings = z.infer<typeof WorkflowSettings>;

/** The structural schema of a workflow definition (SPEC §1); graph rules live in `validate.ts`. */
export const WorkflowDefinition = z.strictObject({
  version: z.literal(1),
  name: z.string().trim().min(1, "name is required").max(LIMITS.nameLength),
  nodes: z.array(WorkflowNode).min(1, "a workflow needs at least one node").max(LIMITS.maxNodes),
  edges: z.array(WorkflowEdge).max(LIMITS.maxEdges),
  settings: WorkflowSettings.optional(),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;
