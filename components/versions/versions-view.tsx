"use client";

import "./versions.css";
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { restoreVersionAction } from "@/app/actions/versions";
import { formatDateTime } from "@/components/ui/format";
import type { VersionRecord, VersionSummary } from "@/lib/versions/store";
import { WorkflowDiffView } from "./workflow-diff-view";

/** The two versions picked for the diff to start with: `focus` (or the previous one) and the current one. */
export function initialPicks(versions: VersionSummary[], focus?: number): number[] {
  const numbers = versions.map((v) => v.version);
  const newest = numbers[0];
  if (newest === undefined) return [];
  if (focus !== undefined && numbers.includes(focus) && focus !== newest) return [focus, newest];
  const previous = numbers[1];
  return previous === undefined ? [newest] : [previous, newest];
}

async function loadVersion(workflowId: string, version: number): Promise<VersionRecord> {
  const res = await fetch(`/api/workflows/${workflowId}/versions/${version}`);
  if (!res.ok) throw new Error(`version ${version}: HTTP ${res.status}`);
  return res.json();
}

/** The versions list (pick two, restore one) and the diff of the two picked, older → newer. */
export function VersionsView({
  workflowId,
  versions,
  focus,
}: {
  workflowId: string;
  versions: VersionSummary[];
  focus?: number;
}) {
  const router = useRouter();
  const [picked, setPicked] = useState<number[]>(() => initialPicks(versions, focus));
  const [loaded, setLoaded] = useState<Record<number, VersionRecord>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  useEffect(() => {
    const missing = picked.filter((v) => !loaded[v]);
    if (missing.length === 0) return;
    let stale = false;
    Promise.all(missing.map((v) => loadVersion(workflowId, v)))
      .then((records) => {
        if (stale) return;
        setLoaded((prev) =>
          Object.fromEntries([...Object.entries(prev), ...records.map((r) => [r.version, r])]),
        );
      })
      .catch((err: unknown) => !stale && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      stale = true;
    };
  }, [picked, loaded, workflowId]);

  const toggle = (version: number) =>
    setPicked((prev) =>
      prev.includes(version) ? prev.filter((v) => v !== version) : [...prev, version].slice(-2),
    );

  const restore = (version: number) =>
    startTransition(async () => {
      const result = await restoreVersionAction(workflowId, version);
      if (!result.ok) {
        setError(result.message);
        return;
      }
      setError(null);
      setPicked([version, result.version]);
      router.refresh();
    });

  const [older, newer] = [...picked].sort((a, b) => a - b);
  const before = older !== undefined ? loaded[older] : undefined;
  const after = newer !== undefined ? loaded[newer] : undefined;

  return (
    <div className="versions-layout">
      <section className="card" aria-label="Versions">
        <ul className="version-list" data-testid="version-list">
          {versions.map((v) => (
            <li key={v.version} data-testid={`version-${v.version}`} data-picked={picked.includes(v.version)}>
              <input
                type="checkbox"
                checked={picked.includes(v.version)}
                onChange={() => toggle(v.version)}
                aria-label={`Compare version ${v.version}`}
                data-testid={`pick-${v.version}`}
              />
              <div style={{ flex: 1 }}>
                <div>
                  <strong>v{v.version}</strong> {v.current ? <span className="tag">current</span> : null}{" "}
                  <span className="muted">{formatDateTime(v.createdAt)}</span>
                </div>
                <div className="muted" style={{ fontSize: 12 }}>
                  {v.createdBy} · {v.nodeCount} nodes
                  {v.message ? ` · ${v.message}` : ""}
                </div>
              </div>
              {v.current ? null : (
                <button
                  type="button"
                  className="btn btn-sm"
                  disabled={pending}
                  onClick={() => restore(v.version)}
                  data-testid={`restore-${v.version}`}
                >
                  Restore
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-label="Diff" style={{ padding: 16 }}>
        {error ? (
          <div className="error-box" role="alert" data-testid="versions-error">
            {error}
          </div>
        ) : null}
        {picked.length < 2 ? (
          <p className="muted">Pick two versions to compare them.</p>
        ) : before && after ? (
          <>
            <h2 style={{ fontSize: 15, margin: "0 0 8px" }} data-testid="diff-title">
              v{before.version} → v{after.version}
            </h2>
            <WorkflowDiffView
              key={`${before.version}-${after.version}`}
              before={before.definition}
              after={after.definition}
            />
          </>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    </div>
  );
}
