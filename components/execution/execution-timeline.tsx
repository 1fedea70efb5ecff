"use client";

import { formatDuration } from "@/components/ui/format";
import { statusColor } from "@/components/ui/status-badge";
import type { TimelineModel } from "./timeline-model";

/** Gantt-like bars, one row per node, so parallel work shows as overlapping bars. */
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
        return (
          <button
            type="button"
            key={row.nodeId}
            className="timeline-row"
            aria-pressed={row.nodeId === selectedId}
            onClick={() => onSelect(row.nodeId)}
            data-testid={`timeline-row-${row.nodeId}`}
          >
            <span className="timeline-label" title={row.label}>
              {row.label}
            </span>
            <span className="timeline-track">
              {hasBar ? (
                <span
                  className="timeline-bar"
                  data-testid={`timeline-bar-${row.nodeId}`}
                  data-status={row.status}
                  data-start={Math.round(row.startMs!)}
                  data-end={Math.round(row.endMs!)}
                  title={`${row.label}: ${row.status}, ${formatDuration(duration)} (from ${formatDuration(row.startMs)})`}
                  style={{
                    left: `${Math.min(left, 99.6)}%`,
                    width: `${Math.min(width, 100 - Math.min(left, 99.6))}%`,
                    background: statusColor(row.status),
                  }}
                />
              ) : (
                <span className="muted" style={{ fontSize: 12 }}>
                  {row.status === "skipped" ? "skipped" : "not started"}
                </span>
              )}
            </span>
          </button>
        );
      })}
    </div>
  );
}
