import { z } from "zod";

/*
 * Statuses of SPEC §2, read by the server and the browser alike. Every set of statuses (terminal,
 * settled, finished) is derived here from the one enum; never re-type one elsewhere.
 *
 * An execution moves between these states:
 *   queued ──claim──► running ──► succeeded | failed | cancelled   (terminal: nothing runs it again
 *     ▲                 │                                            but a retry or a re-run request)
 *     └──budget/lease───┤
 *   paused ◄──request───┤   (resumable by a resume request)
 *   waiting ◄───────────┘   (a `wait` node is suspended and nothing else can run; it resumes on its
 *                            timer, webhook, approval or correlation key)
 */

/** SPEC §2 execution statuses. */
export const ExecutionStatus = z.enum([
  "queued",
  "running",
  "paused",
  "waiting",
  "succeeded",
  "failed",
  "cancelled",
]);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

/** Final statuses: the execution is over (a retry or re-run request may start it or a new one again). */
export const TerminalExecutionStatus = ExecutionStatus.extract(["succeeded", "failed", "cancelled"]);
export type TerminalExecutionStatus = z.infer<typeof TerminalExecutionStatus>;

/**
 * Statuses at rest: no runner holds the execution and no drainer takes it as it is. The terminal
 * ones, plus `paused` (until a resume request) and `waiting` (until its wait node's timer, webhook,
 * approval or correlation key resumes it). `queued` is not settled: a drainer picks it up.
 */
export const SettledExecutionStatus = ExecutionStatus.extract([
  ...TerminalExecutionStatus.options,
  "paused",
  "waiting",
]);
export type SettledExecutionStatus = z.infer<typeof SettledExecutionStatus>;

const terminal: ReadonlySet<string> = new Set(TerminalExecutionStatus.options);
const settled: ReadonlySet<string> = new Set(SettledExecutionStatus.options);

/** Whether an execution status is final (`succeeded`, `failed`, `cancelled`). */
export function isTerminal(status: string): status is TerminalExecutionStatus {
  return terminal.has(status);
}

/** Whether an execution is at rest: terminal, `paused` or `waiting` (see `SettledExecutionStatus`). */
export function isSettled(status: string): status is SettledExecutionStatus {
  return settled.has(status);
}

/** SPEC §2 node statuses; `waiting` is a suspended `wait` node. */
export const NodeStatus = z.enum([
  "pending",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
]);
export type NodeStatus = z.infer<typeof NodeStatus>;

/** Node statuses that count as done in an execution's progress. */
export const FinishedNodeStatus = NodeStatus.extract(["succeeded", "failed", "skipped", "cancelled"]);
export type FinishedNodeStatus = z.infer<typeof FinishedNodeStatus>;

const finished: ReadonlySet<string> = new Set(FinishedNodeStatus.options);

/** Whether a node status counts as done (`succeeded`, `failed`, `skipped`, `cancelled`). */
export function isFinishedNode(status: string): status is FinishedNodeStatus {
  return finished.has(status);
}

/** How an execution ran: inside the request, or drained from the queue. */
export const ExecutionMode = z.enum(["immediate", "queued"]);
export type ExecutionMode = z.infer<typeof ExecutionMode>;
