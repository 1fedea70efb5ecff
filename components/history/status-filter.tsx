import Link from "next/link";
import { statusColor } from "@/components/ui/status-badge";
import { ExecutionStatus } from "@/lib/contract/status";

/** The history's status filter: "All" and one link per execution status (the current one marked). */
export function StatusFilter({ workflowId, current }: { workflowId: string; current?: ExecutionStatus }) {
  const base = `/workflows/${workflowId}/executions`;
  return (
    <nav className="status-filter" aria-label="Filter by status" data-testid="history-filter">
      <Link
        href={base}
        className="status-chip"
        aria-current={current === undefined ? "page" : undefined}
        data-testid="history-filter-all"
      >
        All
      </Link>
      {ExecutionStatus.options.map((status) => (
        <Link
          key={status}
          href={`${base}?status=${status}`}
          className="status-chip"
          aria-current={current === status ? "page" : undefined}
          data-testid={`history-filter-${status}`}
        >
          <span className="badge-dot" style={{ background: statusColor(status) }} aria-hidden />
          {status}
        </Link>
      ))}
    </nav>
  );
}
