import type { NodeStatus } from "@/lib/contract/status";

/** SPEC §2 node colors; `idle` is a node with no execution. */
export const NODE_STATUS_COLORS: Record<NodeStatus | "idle", string> = {
  idle: "#9ca3af",
  pending: "#9ca3af",
  running: "#3b82f6",
  waiting: "#8b5cf6",
  succeeded: "#10b981",
  failed: "#ef4444",
  skipped: "#f59e0b",
  cancelled: "#64748b",
};
