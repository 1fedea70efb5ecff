"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

type Failure = { message: string; issues?: { path: string; message: string }[] };

/**
 * "Re-run from here": `POST /api/executions/:id/rerun { fromNodeId, version }`, then opens the new
 * execution. Nodes upstream of this one are reused from this execution; refusals are listed.
 */
export function RerunButton({ executionId, nodeId }: { executionId: string; nodeId: string }) {
  const router = useRouter();
  const [version, setVersion] = useState<"original" | "latest">("original");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  async function rerun() {
    setBusy(true);
    setFailure(null);
    try {
      const res = await fetch(`/api/executions/${executionId}/rerun`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ fromNodeId: nodeId, version }),
      });
      const body = await res.json().catch(() => ({}));
      if (res.status === 202 && typeof body.executionId === "string") {
        router.push(`/executions/${body.executionId}`);
        return;
      }
      setFailure({ message: body.error?.message ?? `HTTP ${res.status}`, issues: body.error?.issues });
    } catch (err) {
      setFailure({ message: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack" style={{ gap: 6, padding: "12px 16px 0" }} data-testid="rerun-panel">
      <div className="row" style={{ gap: 6 }}>
        <button
          type="button"
          className="btn btn-sm btn-primary"
          disabled={busy}
          onClick={() => void rerun()}
          data-testid="rerun-from-here"
        >
          {busy ? "Starting…" : "Re-run from here"}
        </button>
        <select
          className="input"
          value={version}
          onChange={(e) => setVersion(e.target.value as "original" | "latest")}
          aria-label="Definition to re-run"
          data-testid="rerun-version"
          style={{ width: "auto" }}
        >
          <option value="original">this run's version</option>
          <option value="latest">latest saved version</option>
        </select>
      </div>
      <p className="muted" style={{ fontSize: 12, margin: 0 }}>
        Upstream nodes keep this run's outputs; this node and everything after it run again.
      </p>
      {failure ? (
        <div className="error-box" role="alert" data-testid="rerun-error">
          {failure.message}
          {failure.issues && failure.issues.length > 0 ? (
            <ul style={{ margin: "4px 0 0", paddingLeft: 18 }}>
              {failure.issues.map((i) => (
                <li key={`${i.path}:${i.message}`}>
                  <span className="mono">{i.path}</span>: {i.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
