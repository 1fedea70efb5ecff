import { type ExecutionStatus, isTerminal } from "@/lib/contract/status";
import type { NodeStatus } from "@/lib/engine/ports";
import type { ExecutionDetail } from "@/lib/runs/get-execution";

/** One row of the timeline: where a node's bar starts and ends, in ms from the execution's start. */
export interface TimelineRow {
  /** The node; for a child execution's row, the `workflow` node that started it. */
  nodeId: string;
  label: string;
  status: NodeStatus | ExecutionStatus;
  /** Set on a child execution's row (drawn under its `workflow` node's row). */
  child?: { executionId: string };
  /** Undefined for a node that never started (pending, skipped). */
  startMs?: number;
  endMs?: number;
}

export interface TimelineModel {
  rows: TimelineRow[];
  /** The span the axis covers, at least 1 ms. */
  totalMs: number;
}

/** A child execution's span on its parent's timeline. */
export interface ChildSpan {
  id: string;
  parentNodeId: string | null;
  /** The child workflow's name, or its id. */
  label: string;
  status: ExecutionStatus;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * Lays out a Gantt-like timeline: a bar per node from its start to its finish (to `now` while it
 * runs or waits), relative to the earliest start, so nodes that ran in parallel overlap. Rows are in
 * start order; nodes that never started follow in definition order. Each child execution
 * (`children`) adds a row "child: <name>" under the `workflow` node that started it, on the same axis.
 */
export function buildTimeline(
  detail: ExecutionDetail,
  now: number,
  children: readonly ChildSpan[] = [],
): TimelineModel {
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
  const out: TimelineRow[] = rows.map(({ index: _index, ...row }) => row);
  for (const child of children) {
    const row: TimelineRow = {
      nodeId: child.parentNodeId ?? "",
      label: `child: ${child.label}`,
      status: child.status,
      child: { executionId: child.id },
    };
    const start = child.startedAt ? Date.parse(child.startedAt) : Number.NaN;
    if (Number.isFinite(start) && Number.isFinite(origin)) {
      const finish = child.finishedAt ? Date.parse(child.finishedAt) : Number.NaN;
      const end = Number.isFinite(finish) ? finish : isTerminal(child.status) ? start : Math.max(now, start);
      row.startMs = start - origin;
      row.endMs = Math.max(row.startMs, end - origin);
      totalMs = Math.max(totalMs, row.endMs);
    }
    // Under its node's row, after the children already placed there.
    let at = out.findIndex((r) => !r.child && r.nodeId === row.nodeId);
    if (at === -1) at = out.length;
    else while (out[at + 1]?.child && out[at + 1]?.nodeId === row.nodeId) at++;
    out.splice(at + 1, 0, row);
  }
  return { rows: out, totalMs };
}
