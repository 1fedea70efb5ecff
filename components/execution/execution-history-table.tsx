import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDateTime, formatDuration } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import type { ExecutionSummary } from "@/lib/runs/get-execution";
import { formatUsd } from "./cost";

/** A workflow's executions: status, mode, duration, start, tags; single-node runs are marked. */
export function ExecutionHistoryTable({
  executions,
  workflowId,
  newerHref,
  olderHref,
}: {
  executions: ExecutionSummary[];
  workflowId: string;
  /** Back to the newest page, when this is an older one. */
  newerHref?: string;
  /** The next page of older runs, when there may be more. */
  olderHref?: string;
}) {
  if (executions.length === 0 && !newerHref) {
    return (
      <section className="card" aria-label="Executions">
        <EmptyState
          title="No runs yet"
          testId="history-empty"
          action={
            <Link href={`/workflows/${workflowId}`} className={buttonClass("primary")}>
              Open the builder to run it
            </Link>
          }
        >
          Runs appear here as soon as they start, with their status and duration.
        </EmptyState>
      </section>
    );
  }
  return (
    <section className="card" aria-label="Executions">
      <table className="table" data-testid="history-table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Execution</th>
            <th scope="col">Mode</th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col" className="num">
              LLM cost
            </th>
            <th scope="col">Started</th>
            <th scope="col">Tags</th>
          </tr>
        </thead>
        <tbody>
          {executions.map((e) => (
            <tr key={e.id} data-testid={`history-row-${e.id}`} data-status={e.status}>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td>
                <Link href={`/executions/${e.id}`} className="mono" data-testid="history-link">
                  {e.id.slice(0, 8)}
                </Link>
                {e.nodeId ? (
                  <span
                    className="tag"
                    style={{ marginLeft: 8 }}
                    title="A single node was run"
                    data-testid="single-node"
                  >
                    node {e.nodeId}
                  </span>
                ) : null}
              </td>
              <td>{e.mode}</td>
              <td className="num">{formatDuration(e.durationMs)}</td>
              <td className="num" data-testid="history-cost">
                {e.cost && e.cost.promptTokens + e.cost.completionTokens + e.cost.savedUsd > 0 ? (
                  <>
                    {formatUsd(e.cost.costUsd)}
                    {e.cost.savedUsd > 0 ? (
                      <span className="muted"> · saved {formatUsd(e.cost.savedUsd)}</span>
                    ) : null}
                  </>
                ) : (
                  "—"
                )}
              </td>
              <td className="muted">{formatDateTime(e.startedAt ?? e.createdAt)}</td>
              <td>
                {e.tags.map((t) => (
                  <span key={t} className="tag">
                    {t}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {newerHref || olderHref ? (
        <nav
          className="row"
          aria-label="Pages"
          style={{ justifyContent: "space-between", padding: "12px 16px" }}
        >
          {newerHref ? <Link href={newerHref}>← Newest runs</Link> : <span />}
          {olderHref ? (
            <Link href={olderHref} data-testid="history-older">
              Older runs →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}
