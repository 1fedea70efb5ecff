import type { ExecutionDetail, ExecutionNodeDetail } from "@/lib/runs/get-execution";
import { diffValues, type FieldChange, jsonEqual } from "@/lib/versions/diff";

/** One node of two executions side by side. */
export interface CompareRow {
  nodeId: string;
  left?: Pick<ExecutionNodeDetail, "status" | "durationMs" | "output" | "reused" | "cached">;
  right?: Pick<ExecutionNodeDetail, "status" | "durationMs" | "output" | "reused" | "cached">;
  sameStatus: boolean;
  sameOutput: boolean;
  /** The output's changes, field by field. */
  outputChanges: FieldChange[];
}

/**
 * Pairs the nodes of two executions by id (in the order of the left definition, then nodes only
 * the right one has), with whether status and output differ. Pure.
 */
export function compareExecutions(
  left: Pick<ExecutionDetail, "nodes" | "definition">,
  right: Pick<ExecutionDetail, "nodes" | "definition">,
): CompareRow[] {
  const ids = [
    ...left.definition.nodes.map((n) => n.id),
    ...right.definition.nodes
      .map((n) => n.id)
      .filter((id) => !left.definition.nodes.some((n) => n.id === id)),
  ].filter((id) => left.nodes[id] || right.nodes[id]);
  return ids.map((nodeId) => {
    const l = left.nodes[nodeId];
    const r = right.nodes[nodeId];
    const sameOutput = jsonEqual(l?.output ?? null, r?.output ?? null);
    return {
      nodeId,
      left: l,
      right: r,
      sameStatus: l?.status === r?.status,
      sameOutput,
      outputChanges: sameOutput ? [] : diffValues(l?.output ?? null, r?.output ?? null, "output"),
    };
  });
}
