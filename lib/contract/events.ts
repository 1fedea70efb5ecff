import { z } from "zod";
import { ExecutionStatus, NodeStatus } from "./status";

/*
 * The live events of SPEC §4 (`event: node`, `log`, `execution`, and Braid's `partial`), as the
 * engine emits them, the event store keeps them and the browser reads them. Each schema describes
 * the payload with its `type`; the SSE `data:` line is the payload without it.
 */

const IsoTime = z.string().describe("ISO 8601 time");

/** A node's (or an execution's) error. */
export const NodeError = z.object({
  message: z.string(),
  code: z.string().optional().describe("e.g. `timeout`, `http_status`, `expression`, `cancelled`"),
});
export type NodeError = z.infer<typeof NodeError>;

/** An execution's error: the node's error and, when a node caused it, that node's id. */
export const ExecutionError = NodeError.extend({ nodeId: z.string().optional() });
export type ExecutionError = z.infer<typeof ExecutionError>;

/** Log levels of `event: log` and of a node's log lines. */
export const LogLevel = z.enum(["debug", "info", "warn", "error"]);
export type LogLevel = z.infer<typeof LogLevel>;

/** An execution's progress: nodes finished out of the nodes taking part. */
export const ExecutionProgress = z.object({ finished: z.int(), total: z.int() });
export type ExecutionProgress = z.infer<typeof ExecutionProgress>;

/** A `loop` node's progress over its items (SPEC §4 ⁺). */
export const LoopProgress = z.object({ done: z.int(), failed: z.int(), total: z.int() });
export type LoopProgress = z.infer<typeof LoopProgress>;

/**
 * What a suspended `wait` node waits for (SPEC §4 ⁺), on its `waiting` node event and on the node
 * in `GET /api/executions/:id` while it waits.
 */
export const WaitingInfo = z.object({
  for: z.string().describe("What resumes it: e.g. `time`, `webhook`, `approval`, `key`"),
  until: IsoTime.optional().describe("When its timer resumes it"),
  resumeUrl: z.string().optional().describe("POST here to resume it (`/api/resume/<token>`)"),
  approvalUrl: z.string().optional().describe("The page where a person approves or rejects"),
  key: z.string().optional().describe("The correlation key `POST /api/workflows/:id/resume` matches"),
});
export type WaitingInfo = z.infer<typeof WaitingInfo>;

/** The item index path of a loop body node's iteration: `[3]`, or `[3, 0]` when nested. */
export const IterationPath = z.array(z.int().min(0));
export type IterationPath = z.infer<typeof IterationPath>;

/** SSE `event: node` (SPEC §4). */
export const NodeEvent = z.object({
  type: z.literal("node"),
  nodeId: z.string(),
  status: NodeStatus,
  attempt: z.int(),
  at: IsoTime,
  durationMs: z.number().optional(),
  output: z.unknown().optional(),
  error: NodeError.optional(),
  cached: z.boolean().optional(),
  /** Copied from the source execution by a re-run (`POST /api/executions/:id/rerun`). */
  reused: z.literal(true).optional(),
  /** Set on a loop body node's events: which iteration this is about (not the node as a whole). */
  iteration: IterationPath.optional(),
  /** Set on a `loop` node's events. */
  progress: LoopProgress.optional(),
  /** Set on a `wait` node's `waiting` event. */
  waiting: WaitingInfo.optional(),
});
export type NodeEvent = z.infer<typeof NodeEvent>;

/** SSE `event: log`: retries, cache hits, warnings, a code node's console. */
export const LogEvent = z.object({
  type: z.literal("log"),
  at: IsoTime,
  nodeId: z.string().optional(),
  /** Set when a loop body node wrote the line: its item index path. */
  iteration: IterationPath.optional(),
  level: LogLevel,
  message: z.string(),
});
export type LogEvent = z.infer<typeof LogEvent>;

/** SSE `event: execution`: the execution's status changed. */
export const ExecutionEvent = z.object({
  type: z.literal("execution"),
  status: ExecutionStatus,
  at: IsoTime,
  progress: ExecutionProgress,
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: ExecutionError.optional(),
  /** Set when the run stopped at its budget and was handed to the queue. */
  handedOff: z.boolean().optional(),
});
export type ExecutionEvent = z.infer<typeof ExecutionEvent>;

/** SSE `event: partial`: the text an LLM node has streamed so far (an extension of SPEC §4). */
export const PartialEvent = z.object({
  type: z.literal("partial"),
  nodeId: z.string(),
  at: IsoTime,
  text: z.string(),
});
export type PartialEvent = z.infer<typeof PartialEvent>;

/** Any live event, discriminated by `type`. */
export const EngineEvent = z.discriminatedUnion("type", [NodeEvent, LogEvent, ExecutionEvent, PartialEvent]);
export type EngineEvent = z.infer<typeof EngineEvent>;

/** An event as the SSE `data:` line carries it: without its `type`. */
export type EventPayload<E extends EngineEvent> = Omit<E, "type">;
