import { reachableFrom } from "./graph";
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from "./schema";

/**
 * Loop bodies (SPEC §1 "Loop bodies"): a node whose `parentId` is a loop's id belongs to that
 * loop's body. Edges never cross a body's boundary, so each body is a small DAG of its own that
 * the engine runs once per item. Body nodes are checkpointed per item under an iteration key.
 */

/** The most loops one inside another (SPEC: three deep). */
export const MAX_LOOP_DEPTH = 3;

/** A body: its nodes and the edges between them, in definition order. */
export interface Body {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
}

/** Every loop's body by loop id (nodes whose `parentId` is that id, and the edges among them). */
export function bodiesOf(def: Pick<WorkflowDefinition, "nodes" | "edges">): Map<string, Body> {
  const bodies = new Map<string, Body>();
  const parentOf = new Map<string, string>();
  for (const node of def.nodes) {
    if (node.parentId === undefined) continue;
    parentOf.set(node.id, node.parentId);
    let body = bodies.get(node.parentId);
    if (!body) {
      body = { nodes: [], edges: [] };
      bodies.set(node.parentId, body);
    }
    body.nodes.push(node);
  }
  for (const edge of def.edges) {
    const parent = parentOf.get(edge.source);
    if (parent !== undefined && parentOf.get(edge.target) === parent) bodies.get(parent)!.edges.push(edge);
  }
  return bodies;
}

/**
 * How many loops enclose node `id` (0 at the top level), following `parentId`; a parent chain
 * that loops back (invalid, refused at save) stops after MAX_LOOP_DEPTH + 1 steps.
 */
export function enclosingLoops(nodes: readonly { id: string; parentId?: string }[], id: string): number {
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId]));
  let depth = 0;
  for (let p = parentOf.get(id); p !== undefined && depth <= MAX_LOOP_DEPTH; p = parentOf.get(p)) depth++;
  return depth;
}

/** The nodes outside every body (the top-level graph). */
export function topLevelNodes(def: Pick<WorkflowDefinition, "nodes">): WorkflowNode[] {
  return def.nodes.filter((n) => n.parentId === undefined);
}

/**
 * The journal key of a body node's checkpoint for one item: `node#3` or `node#3.0` (nested).
 * Node ids cannot contain `#`, so a key never collides with a top-level node id.
 */
export function iterationKey(nodeId: string, iteration: readonly number[] | undefined): string {
  return iteration === undefined || iteration.length === 0 ? nodeId : `${nodeId}#${iteration.join(".")}`;
}

/** Splits a journal key into its node id and iteration path (undefined for a top-level node). */
export function parseIterationKey(key: string): { nodeId: string; iteration?: number[] } {
  const hash = key.indexOf("#");
  if (hash === -1) return { nodeId: key };
  return {
    nodeId: key.slice(0, hash),
    iteration: key
      .slice(hash + 1)
      .split(".")
      .map(Number),
  };
}

/** Whether a journal key is a body node's per-item checkpoint. */
export const isIterationKey = (key: string) => key.includes("#");

/**
 * What a retry must drop besides the failed checkpoints themselves, so that re-running failed loop
 * items also re-runs what consumed their results: for each non-succeeded per-item checkpoint
 * `n#p`, the nodes after `n` in the same item, then its loop and the nodes after the loop one level
 * up, and so on to the top level. Keys, not ids: other items keep their checkpoints.
 */
export function retryDropKeys(
  def: Pick<WorkflowDefinition, "nodes" | "edges">,
  failedKeys: readonly string[],
): string[] {
  const parentOf = new Map<string, string>();
  for (const n of def.nodes) if (n.parentId !== undefined) parentOf.set(n.id, n.parentId);
  const drop = new Set<string>();
  // Many failed items share their nodes: walk each node's successors once.
  const reach = new Map<string, Set<string>>();
  const reachOf = (nodeId: string) => {
    let ids = reach.get(nodeId);
    if (!ids) {
      ids = reachableFrom(def, nodeId);
      reach.set(nodeId, ids);
    }
    return ids;
  };
  for (const key of failedKeys) {
    const parsed = parseIterationKey(key);
    let nodeId: string | undefined = parsed.nodeId;
    let path = parsed.iteration ?? [];
    while (nodeId !== undefined) {
      for (const id of reachOf(nodeId)) drop.add(iterationKey(id, path));
      if (path.length === 0) break;
      nodeId = parentOf.get(nodeId);
      path = path.slice(0, -1);
    }
  }
  return [...drop];
}
