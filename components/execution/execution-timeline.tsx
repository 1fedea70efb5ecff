"use client";

import Link from "next/link";
import { formatDuration } from "@/components/ui/format";
import { statusColor } from "@/components/ui/status-badge";
import type { TimelineModel } from "./timeline-model";

/**
 * Gantt-like bars, one row per node, so parallel work shows as overlapping bars; a child
 * execution's bar sits under its `workflow` node and links to it.
 */
export function ExecutionTimeline({
  model,
  selectedId,
  onSelect,
}: {
  model: TimelineModel;
  selectedId: string | null;
  onSelect: (nodeId: string) => void;
}) {
  const { rows, totalMs } = model;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="timeline" data-testid="timeline" data-total={Math.round(totalMs)}>
      <div className="timeline-axis" aria-hidden>
        {ticks.map((t) => (
          <span key={t}>{formatDuration(t * totalMs)}</span>
        ))}
      </div>
      {rows.map((row) => {
        const hasBar = row.startMs !== undefined && row.endMs !== undefined;
        const left = hasBar ? (row.startMs! / totalMs) * 100 : 0;
        const width = hasBar ? Math.max(((row.endMs! - row.startMs!) / totalMs) * 100, 0.4) : 0;
        const duration = hasBar ? row.endMs! - row.startMs! : undefined;
        const content = (
          <>
            <span className="timeline-label" title={row.label}>
              {row.child ? "↳ " : null}
              {row.label}
            </span>
            <span className="timeline-track">
              {hasBar ? (
                <span
                  className="timeline-bar"
                  data-testid={
                    row.child ? `timeline-child-bar-${row.child.executionId}` : `timeline-bar-${row.nodeId}`
                  }
                  data-status={row.status}
                  data-start={Math.round(row.startMs!)}
                  data-end={Math.round(row.endMs!)}
                  title={`${row.label}: ${row.status}, ${formatDuration(duration)} (from ${formatDuration(row.startMs)})`}
                  style={{
                    left: `${Math.min(left, 99.6)}%`,
                    width: `${Math.min(width, 100 - Math.min(left, 99.6))}%`,
                    background: statusColor(row.status),
                    ...(row.child ? { opacity: 0.75 } : {}),
                  }}
                />
              ) : (
                <span className="muted" style={{ fontSize: 12 }}>
                  {row.status === "skipped" ? "skipped" : "not started"}
                </span>
              )}
            </span>
          </>
        );
        // A child execution's row opens it; a node's row selects the node.
        return row.child ? (
          <Link
            key={`child:${row.child.executionId}`}
            href={`/executions/${row.child.executionId}`}
            className="timeline-row"
            style={{ textDecoration: "none" }}
            data-testid={`timeline-child-${row.child.executionId}`}
          >
            {content}
          </Link>
        ) : (
          <button
            type="button"
            key={row.nodeId}
            className="timeline-row"
            aria-pressed={row.nodeId === selectedId}
            onClick={() => onSelect(row.nodeId)}
            data-testid={`timeline-row-${row.nodeId}`}
          >
            {content}
          </button>
        );
      })}
    </div>
  );
}
