"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDateTime, formatDuration } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import type { ExecutionSummary } from "@/lib/runs/get-execution";
import { formatUsd } from "./cost";

const retryable = (e: ExecutionSummary) => (e.status === "failed" || e.status === "cancelled") && !e.nodeId;

/**
 * Retries the selected executions through `POST /api/workflows/:id/executions/retry` (one request
 * per status, each with its own Idempotency-Key so a double click retries nothing twice).
 */
async function retrySelected(workflowId: string, selected: ExecutionSummary[]): Promise<string[]> {
  const key = crypto.randomUUID();
  const retried: string[] = [];
  for (const status of ["failed", "cancelled"] as const) {
    const ids = selected.filter((e) => e.status === status).map((e) => e.id);
    if (ids.length === 0) continue;
    const res = await fetch(`/api/workflows/${workflowId}/executions/retry`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": `${key}-${status}` },
      body: JSON.stringify({ status, ids, limit: ids.length }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
    retried.push(...body.retried);
  }
  return retried;
}

/**
 * A workflow's executions: status, mode, duration, start, tags; single-node runs are marked.
 * Failed and cancelled runs can be selected and retried together.
 */
export function ExecutionHistoryTable({
  executions,
  workflowId,
  status,
  newerHref,
  olderHref,
}: {
  executions: ExecutionSummary[];
  workflowId: string;
  /** The status the rows are filtered to, if any. */
  status?: string;
  /** Back to the newest page, when this is an older one. */
  newerHref?: string;
  /** The next page of older runs, when there may be more. */
  olderHref?: string;
}) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const retry = async () => {
    setBusy(true);
    try {
      const retried = await retrySelected(
        workflowId,
        executions.filter((e) => selected.has(e.id)),
      );
      setNotice(`Retried ${retried.length} execution${retried.length === 1 ? "" : "s"}.`);
      setSelected(new Set());
      router.refresh();
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  if (executions.length === 0 && status && !olderHref) {
    return (
      <section className="card" aria-label="Executions">
        <EmptyState title={`No ${status} runs`} testId="history-empty">
          {newerHref ? "None among the older runs." : `No run of this workflow is ${status}.`}
        </EmptyState>
      </section>
    );
  }
  if (executions.length === 0 && !newerHref && !status) {
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
      {executions.some(retryable) ? (
        <div className="row" style={{ padding: "10px 16px", gap: 10 }}>
          <button
            type="button"
            className="btn btn-sm"
            disabled={busy || selected.size === 0}
            onClick={() => void retry()}
            data-testid="retry-selected"
          >
            Retry selected ({selected.size})
          </button>
          {notice ? (
            <span className="muted" role="status" data-testid="retry-notice">
              {notice}
            </span>
          ) : null}
        </div>
      ) : null}
      <table className="table" data-testid="history-table">
        <thead>
          <tr>
            <th scope="col" aria-label="Select" />
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
                {retryable(e) ? (
                  <input
                    type="checkbox"
                    checked={selected.has(e.id)}
                    onChange={() => toggle(e.id)}
                    aria-label={`Select execution ${e.id.slice(0, 8)}`}
                    data-testid={`select-${e.id}`}
                  />
                ) : null}
              </td>
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
