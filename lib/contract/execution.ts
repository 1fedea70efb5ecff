import { z } from "zod";
import { ExecutionError, ExecutionProgress, LogLevel, LoopProgress, NodeError, WaitingInfo } from "./events";
import { ExecutionMode, ExecutionStatus, NodeStatus } from "./status";

/*
 * The answers of SPEC §3 that the server writes and the browser reads: an execution's detail
 * (`GET /api/executions/:id`, the SSE snapshot), the history rows, the run answer and the
 * single-node answer. The workflow definition inside a detail is typed by the caller
 * (`ExecutionDetail<WorkflowDefinition>`): this module imports nothing from the rest of lib/.
 */

const IsoTime = z.string().describe("ISO 8601 time");

/** An execution's LLM spend (SPEC §3 ⁺ `cost`). */
export const ExecutionCost = z.object({
  promptTokens: z.number(),
  completionTokens: z.number(),
  costUsd: z.number(),
  savedUsd: z.number(),
});
export type ExecutionCost = z.infer<typeof ExecutionCost>;

/** One node of an execution as `GET /api/executions/:id` shows it. */
export const ExecutionNodeDetail = z.object({
  status: NodeStatus,
  attempts: z.int(),
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
  durationMs: z.number().nullable(),
  input: z.unknown(),
  output: z.unknown(),
  error: NodeError.nullable(),
  cached: z.boolean(),
  /** Copied from the source execution by a re-run, not run in this one. */
  reused: z.literal(true).optional(),
  /** An LLM node's cost in USD (0 when cached, null for an unpriced model). */
  costUsd: z.number().nullable().optional(),
  /** What a cached LLM answer saved. */
  savedUsd: z.number().nullable().optional(),
  /** A `loop` node's progress over its items. */
  progress: LoopProgress.optional(),
  /** What a suspended `wait` node waits for, while it waits. */
  waiting: WaitingInfo.optional(),
  /** A top-level loop: the indexes of its failed items, lowest first (at most 1,000). */
  failedItems: z.array(z.int()).optional(),
});
export type ExecutionNodeDetail = z.infer<typeof ExecutionNodeDetail>;

/** One log line of an execution. */
export const ExecutionLog = z.object({
  at: IsoTime,
  nodeId: z.string().optional(),
  level: LogLevel,
  message: z.string(),
});
export type ExecutionLog = z.infer<typeof ExecutionLog>;

/** SPEC §3 `GET /api/executions/:id` (plus what the pages need: definition, eventSeq). */
export const ExecutionDetail = z.object({
  id: z.string(),
  workflowId: z.string(),
  /** The workflow version this execution ran. */
  workflowVersion: z.int(),
  /** Set on a re-run: the execution whose checkpoints it reused. */
  sourceExecutionId: z.string().optional(),
  /** A child execution (a `workflow` node's): its parent execution and the node that started it. */
  parentExecutionId: z.string().optional(),
  parentNodeId: z.string().optional(),
  status: ExecutionStatus,
  mode: ExecutionMode,
  inputs: z.unknown(),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  error: ExecutionError.nullable(),
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
  durationMs: z.number().nullable(),
  progress: ExecutionProgress,
  tags: z.array(z.string()),
  triggerId: z.string().nullable(),
  /** Set for single-node runs. */
  nodeId: z.string().nullable().describe("Set for single-node runs"),
  handedOff: z.boolean(),
  nodes: z.record(z.string(), ExecutionNodeDetail),
  logs: z.array(ExecutionLog),
  /** The definition snapshot that ran. */
  definition: z.unknown(),
  /** Last event sequence number written: an SSE client resumes after it. */
  eventSeq: z.int().describe("Last event sequence number written: an SSE client resumes after it"),
  /** LLM spend of every attempt (SPEC §3 ⁺). */
  cost: ExecutionCost.optional(),
});
/** An execution's detail, its `definition` typed `D` (the workflow definition on the server and pages). */
export type ExecutionDetail<D = unknown> = Omit<z.infer<typeof ExecutionDetail>, "definition"> & {
  definition: D;
};

/** One row of a workflow's history (`GET /api/workflows/:id/executions`). */
export const ExecutionSummary = z.object({
  id: z.string(),
  status: ExecutionStatus,
  mode: ExecutionMode,
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
  durationMs: z.number().nullable(),
  nodeId: z.string().optional(),
  tags: z.array(z.string()),
  createdAt: IsoTime,
  cost: ExecutionCost.optional(),
});
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;

/** The answer to `POST /api/workflows/:id/run` and to an incoming webhook (SPEC §3). */
export const RunAnswer = z.object({
  executionId: z.string(),
  status: ExecutionStatus,
  mode: ExecutionMode,
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: z.unknown().optional(),
  nodes: z.record(z.string(), z.unknown()).optional().describe("Per-node checkpoints"),
  handedOff: z.boolean().optional().describe("An immediate run that went over budget and was queued"),
  complexity: z.object({ score: z.number(), reasons: z.array(z.string()) }).optional(),
  deduplicated: z.boolean().optional().describe("The idempotency key matched an earlier execution"),
  reason: z.string().optional().describe("Why the run was queued although it asked to run immediately"),
});
export type RunAnswer = z.infer<typeof RunAnswer>;

/** One log line of a single-node run. */
export const NodeLogLine = ExecutionLog.omit({ nodeId: true });
export type NodeLogLine = z.infer<typeof NodeLogLine>;

/** The answer to `POST /api/workflows/:id/nodes/:nodeId/run` (SPEC §3, plus the execution and logs). */
export const SingleNodeAnswer = z.object({
  nodeId: z.string(),
  executionId: z.string(),
  status: NodeStatus,
  output: z.unknown(),
  error: NodeError.nullable(),
  durationMs: z.number(),
  cached: z.boolean(),
  logs: z
    .array(NodeLogLine)
    .describe("The node's log lines: retries, warnings, a code node's console output"),
});
export type SingleNodeAnswer = z.infer<typeof SingleNodeAnswer>;
