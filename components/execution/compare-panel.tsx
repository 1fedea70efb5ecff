"use client";

import { useEffect, useMemo, useState } from "react";
import { formatDateTime, formatDuration } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import type { ExecutionDetail, ExecutionSummary } from "@/lib/runs/get-execution";
import { compareExecutions } from "./compare-model";

const show = (v: unknown) => (v === undefined || v === null ? "—" : JSON.stringify(v, null, 2));

/**
 * "Compare with…": pick another execution of the same workflow and see, per node, status,
 * duration and output side by side; rows that differ are marked.
 */
export function ComparePanel({ current }: { current: ExecutionDetail }) {
  const [open, setOpen] = useState(false);
  const [others, setOthers] = useState<ExecutionSummary[] | null>(null);
  const [otherId, setOtherId] = useState<string>("");
  const [other, setOther] = useState<ExecutionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open || others) return;
    fetch(`/api/workflows/${current.workflowId}/executions?limit=100`)
      .then((r) => r.json())
      .then((body: { executions: ExecutionSummary[] }) =>
        setOthers(body.executions.filter((e) => e.id !== current.id && !e.nodeId)),
      )
      .catch((err: unknown) => setError(String(err)));
  }, [open, others, current.workflowId, current.id]);

  useEffect(() => {
    if (!otherId) return;
    let stale = false;
    fetch(`/api/executions/${otherId}`)
      .then((r) => r.json())
      .then((body: ExecutionDetail) => !stale && setOther(body))
      .catch((err: unknown) => !stale && setError(String(err)));
    return () => {
      stale = true;
    };
  }, [otherId]);

  const rows = useMemo(() => (other ? compareExecutions(current, other) : []), [current, other]);

  return (
    <section className="card" aria-labelledby="compare-title" data-testid="compare-panel">
      <div className="card-head">
        <h2 id="compare-title">Compare</h2>
        {open ? (
          <select
            className="input"
            style={{ width: "auto" }}
            value={otherId}
            onChange={(e) => setOtherId(e.target.value)}
            aria-label="Execution to compare with"
            data-testid="compare-select"
          >
            <option value="">Pick an execution…</option>
            {(others ?? []).map((e) => (
              <option key={e.id} value={e.id}>
                {e.id.slice(0, 8)} · {e.status} · {formatDateTime(e.startedAt ?? e.createdAt)}
              </option>
            ))}
          </select>
        ) : (
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => setOpen(true)}
            data-testid="compare-open"
          >
            Compare with…
          </button>
        )}
      </div>
      {error ? <div className="error-box">{error}</div> : null}
      {other ? (
        <table className="compare-table" data-testid="compare-table">
          <thead>
            <tr>
              <th>Node</th>
              <th>This run ({current.id.slice(0, 8)})</th>
              <th>Other ({other.id.slice(0, 8)})</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.nodeId}
                data-testid={`compare-row-${row.nodeId}`}
                data-differs={!row.sameStatus || !row.sameOutput}
              >
                <td className="mono">{row.nodeId}</td>
                {[row.left, row.right].map((side, i) => (
                  <td key={i === 0 ? "left" : "right"}>
                    {side ? (
                      <>
                        <div className="row" style={{ gap: 6 }}>
                          <StatusBadge status={side.status} />
                          <span className="muted">{formatDuration(side.durationMs)}</span>
                          {side.reused ? <span className="tag">reused</span> : null}
                          {side.cached ? <span className="tag">cached</span> : null}
                        </div>
                        <pre>{show(side.output)}</pre>
                      </>
                    ) : (
                      <span className="muted">not in this run</span>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
