import { diffValues } from "@/lib/versions/diff";
import { pickTrigger, reachableFrom } from "@/lib/workflow/graph";
import type { WorkflowDefinition, WorkflowNode } from "@/lib/workflow/schema";

/** Why a re-run cannot reuse the source execution, by path (`fromNodeId`, `nodes.<id>`). */
export interface RerunPlanIssue {
  path: string;
  code: "node_missing" | "node_removed" | "type_changed" | "not_in_run" | "trigger_missing";
  message: string;
}

/** Which nodes a re-run copies from its source and which it runs. */
export type RerunPlan =
  | { ok: true; triggerId: string; reuse: string[]; run: string[] }
  | { ok: false; issues: RerunPlanIssue[] };

/** What `planRerun` needs: both definitions, the node to start from and the source's node statuses. */
export interface RerunPlanInput {
  /** The definition the source execution ran. */
  source: WorkflowDefinition;
  /** The definition the re-run will run (the same one for `original`). */
  target: WorkflowDefinition;
  fromNodeId: string;
  triggerId?: string;
  /** Status of each node run of the source execution. */
  sourceStatuses: ReadonlyMap<string, string>;
  /** `version: "latest"`: compare target with source node by node. */
  latest: boolean;
}

const withoutPosition = ({ position: _p, ...rest }: WorkflowNode) => rest;

function reusable(status: string | undefined, node: WorkflowNode): boolean {
  if (status === "succeeded" || status === "skipped") return true;
  return status === "failed" && (node.onError === "continue" || node.onError === "branch");
}

/**
 * Plans a re-run from `fromNodeId`. Pure.
 *
 * Runs: `fromNodeId` and everything downstream of it; with `latest`, also every node that is new
 * or whose config changed since the source, and their downstream; and any node whose source
 * checkpoint cannot be reused (it failed, never ran), with its downstream. Everything else that
 * takes part in the run is reused. With `latest`, a node the source ran that is gone, or whose
 * type changed, outside the part that runs anyway, makes the plan fail with one issue per node.
 */
export function planRerun(input: RerunPlanInput): RerunPlan {
  const { source, target, fromNodeId } = input;
  const issues: RerunPlanIssue[] = [];
  const trigger = pickTrigger(target, input.triggerId);
  const targetNodes = new Map(target.nodes.map((n) => [n.id, n]));
  if (!trigger) {
    issues.push({
      path: "version",
      code: "trigger_missing",
      message: `trigger "${input.triggerId ?? "(default)"}" is not in this version`,
    });
  }
  if (!targetNodes.has(fromNodeId)) {
    issues.push({
      path: "fromNodeId",
      code: "node_missing",
      message: `node "${fromNodeId}" is not in this version`,
    });
  }
  if (!trigger || issues.length > 0) return { ok: false, issues };

  const participating = reachableFrom(target, trigger.id);
  if (!participating.has(fromNodeId)) {
    return {
      ok: false,
      issues: [
        {
          path: "fromNodeId",
          code: "not_in_run",
          message: `node "${fromNodeId}" is not reachable from trigger "${trigger.id}"`,
        },
      ],
    };
  }

  const seeds = new Set([fromNodeId]);
  const runsAnyway = reachableFrom(target, fromNodeId);
  if (input.latest) {
    const sourceNodes = new Map(source.nodes.map((n) => [n.id, n]));
    for (const node of source.nodes) {
      if (!input.sourceStatuses.has(node.id) || runsAnyway.has(node.id)) continue;
      const now = targetNodes.get(node.id);
      if (!now) {
        issues.push({
          path: `nodes.${node.id}`,
          code: "node_removed",
          message: `node "${node.id}" ran in the source execution but no longer exists`,
        });
      } else if (now.type !== node.type) {
        issues.push({
          path: `nodes.${node.id}`,
          code: "type_changed",
          message: `node "${node.id}" changed type from ${node.type} to ${now.type}`,
        });
      }
    }
    if (issues.length > 0) return { ok: false, issues };
    for (const id of participating) {
      const before = sourceNodes.get(id);
      const after = targetNodes.get(id)!;
      if (!before || diffValues(withoutPosition(before), withoutPosition(after)).length > 0) seeds.add(id);
    }
  }

  // Grow the part that runs until every node outside it has a checkpoint that can be reused.
  for (;;) {
    const run = new Set<string>();
    for (const seed of seeds) for (const id of reachableFrom(target, seed)) run.add(id);
    const blocked = [...participating].filter(
      (id) => !run.has(id) && !reusable(input.sourceStatuses.get(id), targetNodes.get(id)!),
    );
    if (blocked.length === 0) {
      const order = target.nodes.map((n) => n.id).filter((id) => participating.has(id));
      return {
        ok: true,
        triggerId: trigger.id,
        reuse: order.filter((id) => !run.has(id)),
        run: order.filter((id) => run.has(id)),
      };
    }
    for (const id of blocked) seeds.add(id);
  }
}
