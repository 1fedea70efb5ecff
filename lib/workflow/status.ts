import type { ExecutionStatus, NodeStatus } from "@/lib/engine/ports";

/** SPEC §2 node colors; `idle` is a node with no execution. */
export const NODE_STATUS_COLORS: Record<NodeStatus | "idle", string> = {
  idle: "#9ca3af",
  pending: "#9ca3af",
  running: "#3b82f6",
  succeeded: "#10b981",
  failed: "#ef4444",
  skipped: "#f59e0b",
  cancelled: "#64748b",
};

export const TERMINAL_EXECUTION_STATUSES: readonly ExecutionStatus[] = ["succeeded", "failed", "cancelled"];

/** Whether an execution status is final. */
export function isTerminalExecutionStatus(status: string): boolean {
  return (TERMINAL_EXECUTION_STATUSES as readonly string[]).includes(status);
}
