import { ancestorsOf } from "@/lib/workflow/graph";
import type { ValidationIssue } from "@/lib/workflow/validate";
import { asGraph, type EditorDefinition } from "./types";

/** Validation issues sorted by where the panel shows them. */
export interface GroupedIssues {
  /** By node id, then by field path inside the node (`config.url`, `retry.maxAttempts`, `id`). */
  byNode: Record<string, Record<string, string>>;
  /** Issues about the workflow as a whole or its edges. */
  general: ValidationIssue[];
}

const NODE_PATH = /^nodes\[(\d+)\](?:\.(.*))?$/;

/** Maps `validateWorkflow` issues to the node and field they are about. */
export function groupIssues(def: EditorDefinition, issues: readonly ValidationIssue[]): GroupedIssues {
  const grouped: GroupedIssues = { byNode: {}, general: [] };
  for (const issue of issues) {
    const match = NODE_PATH.exec(issue.path);
    const node = match ? def.nodes[Number(match[1])] : undefined;
    if (!match || !node) {
      grouped.general.push(issue);
      continue;
    }
    const field = match[2] ?? "";
    const forNode = grouped.byNode[node.id] ?? {};
    forNode[field] = forNode[field] ? `${forNode[field]}; ${issue.message}` : issue.message;
    grouped.byNode[node.id] = forNode;
  }
  return grouped;
}

/** What an expression in node `nodeId` can read: `inputs`, `input`, and `nodes.<id>` of its upstream nodes. */
export function expressionScope(
  def: EditorDefinition,
  nodeId: string,
): { roots: string[]; upstream: string[] } {
  const ancestors = ancestorsOf(asGraph(def), nodeId);
  return {
    roots: ["inputs", "input"],
    upstream: def.nodes.filter((n) => ancestors.has(n.id)).map((n) => `nodes.${n.id}`),
  };
}
