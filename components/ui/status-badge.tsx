import type { ExecutionStatus, NodeStatus } from "@/lib/engine/ports";
import { NODE_STATUS_COLORS } from "@/lib/workflow/status";

/** A color for any node or execution status (SPEC §2; queued is gray, paused purple, waiting violet). */
export function statusColor(status: NodeStatus | ExecutionStatus | "idle"): string {
  if (status === "queued") return NODE_STATUS_COLORS.pending;
  if (status === "paused") return "#a855f7";
  return NODE_STATUS_COLORS[status] ?? NODE_STATUS_COLORS.idle;
}

/** A pill with a colored dot; running pulses. */
export function StatusBadge({
  status,
  testId,
}: {
  status: NodeStatus | ExecutionStatus | "idle";
  testId?: string;
}) {
  return (
    <span className="badge" data-status={status} data-testid={testId}>
      <span className="badge-dot" style={{ background: statusColor(status) }} aria-hidden />
      {status}
    </span>
  );
}
