import type { NodeStatus } from "@/lib/engine/ports";
import type { ExecutionDetail } from "@/lib/runs/get-execution";

/** One row of the timeline: where a node's bar starts and ends, in ms from the execution's start. */
export interface TimelineRow {
  nodeId: string;
  label: string;
  status: NodeStatus;
  /** Undefined for a node that never started (pending, skipped). */
  startMs?: number;
  endMs?: number;
}

export interface TimelineModel {
  rows: TimelineRow[];
  /** The span the axis covers, at least 1 ms. */
  totalMs: number;
}

/**
 * Lays out a Gantt-like timeline: a bar per node from its start to its finish (to `now` while it
 * runs or waits), relative to the earliest start, so nodes that ran in parallel overlap. Rows are in start
 * order; nodes that never started follow in definition order.
 */
export function buildTimeline(detail: ExecutionDetail, now: number): TimelineModel {
  const starts = Object.values(detail.nodes)
    .map((n) => (n.startedAt ? Date.parse(n.startedAt) : Number.NaN))
    .filter(Number.isFinite);
  const execStart = detail.startedAt ? Date.parse(detail.startedAt) : Number.NaN;
  const origin = Math.min(...starts, Number.isFinite(execStart) ? execStart : Number.POSITIVE_INFINITY);
  const names = new Map(detail.definition.nodes.map((n, i) => [n.id, { label: n.name || n.id, index: i }]));
  const rows: (TimelineRow & { index: number })[] = [];
  let totalMs = 1;
  for (const [nodeId, node] of Object.entries(detail.nodes)) {
    const meta = names.get(nodeId);
    const row: TimelineRow & { index: number } = {
      nodeId,
      label: meta?.label ?? nodeId,
      status: node.status,
      index: meta?.index ?? Number.MAX_SAFE_INTEGER,
    };
    const start = node.startedAt ? Date.parse(node.startedAt) : Number.NaN;
    if (Number.isFinite(start) && Number.isFinite(origin)) {
      const finish = node.finishedAt ? Date.parse(node.finishedAt) : Number.NaN;
      const ongoing = node.status === "running" || node.status === "waiting";
      const end = Number.isFinite(finish) ? finish : ongoing ? Math.max(now, start) : start;
      row.startMs = start - origin;
      row.endMs = Math.max(row.startMs, end - origin);
      totalMs = Math.max(totalMs, row.endMs);
    }
    rows.push(row);
  }
  if (detail.finishedAt && Number.isFinite(origin)) {
    totalMs = Math.max(totalMs, Date.parse(detail.finishedAt) - origin);
  }
  rows.sort((a, b) => {
    if (a.startMs !== undefined && b.startMs !== undefined) return a.startMs - b.startMs || a.index - b.index;
    if (a.startMs !== undefined) return -1;
    if (b.startMs !== undefined) return 1;
    return a.index - b.index;
  });
  return { rows: rows.map(({ index: _index, ...row }) => row), totalMs };
}
