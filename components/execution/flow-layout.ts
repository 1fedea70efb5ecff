import dagre from "@dagrejs/dagre";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 72;

/**
 * Positions for the canvas: the saved ones when every node has one, else a left-to-right dagre
 * layout of the whole graph (so a definition imported without positions still reads well).
 */
export function positionsOf(
  definition: Pick<WorkflowDefinition, "nodes" | "edges">,
): Map<string, { x: number; y: number }> {
  const positions = new Map<string, { x: number; y: number }>();
  if (definition.nodes.every((n) => n.position)) {
    for (const n of definition.nodes) positions.set(n.id, n.position!);
    return positions;
  }
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 36, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of definition.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of definition.edges)
    if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  for (const n of definition.nodes) {
    const p = g.node(n.id);
    positions.set(n.id, p ? { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 } : { x: 0, y: 0 });
  }
  return positions;
}
