import type { ExecutionDetail } from "@/lib/runs/get-execution";
import type { ChildSpan } from "./timeline-model";

/** A child execution as the execution page receives it from the server (lib/runs/child-executions). */
export interface ChildExecutionRow {
  id: string;
  parentNodeId: string | null;
  workflowId: string;
  workflowName: string | null;
  status: ChildSpan["status"];
  startedAt: string | null;
  finishedAt: string | null;
}

const idIn = (value: unknown): string | undefined => {
  const id = (value as { executionId?: unknown } | null | undefined)?.executionId;
  return typeof id === "string" && id ? id : undefined;
};

/**
 * The child execution each `workflow` node of an execution links to: its latest child (a retried
 * node has one per attempt), else the `executionId` in its output (`wait: false`) or in what it
 * waits for (a child started since the page loaded).
 */
export function childLinksOf(
  detail: Pick<ExecutionDetail, "definition" | "nodes">,
  children: readonly ChildExecutionRow[],
): Record<string, string> {
  const links: Record<string, string> = {};
  for (const node of detail.definition.nodes) {
    if (node.type !== "workflow") continue;
    const latest = children.findLast((c) => c.parentNodeId === node.id);
    const state = detail.nodes[node.id];
    const id = latest?.id ?? idIn(state?.output) ?? idIn(state?.waiting);
    if (id) links[node.id] = id;
  }
  return links;
}

/** The children's spans for the timeline, labelled by their workflow's name (or id). */
export function childSpansOf(children: readonly ChildExecutionRow[]): ChildSpan[] {
  return children.map((c) => ({
    id: c.id,
    parentNodeId: c.parentNodeId,
    label: c.workflowName ?? c.workflowId,
    status: c.status,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
  }));
}
