import { Graph, layout } from "@dagrejs/dagre";
import type { EditorDefinition } from "./types";

/** The size a node is laid out with when it has not been measured on screen. */
export const DEFAULT_NODE_SIZE = { width: 220, height: 72 } as const;

/**
 * Positions every node left to right with dagre (ranks follow the edges), keeping everything
 * else as it is. `sizes` are measured node sizes by id.
 */
export function layoutDefinition(
  def: EditorDefinition,
  sizes: Readonly<Record<string, { width: number; height: number }>> = {},
): EditorDefinition {
  const g = new Graph();
  g.setGraph({ rankdir: "LR", nodesep: 36, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of def.nodes) {
    const size = sizes[node.id] ?? DEFAULT_NODE_SIZE;
    g.setNode(node.id, { width: size.width, height: size.height });
  }
  const ids = new Set(def.nodes.map((n) => n.id));
  const linked = new Set<string>();
  for (const edge of def.edges) {
    if (ids.has(edge.source) && ids.has(edge.target)) {
      g.setEdge(edge.source, edge.target);
      linked.add(edge.source);
      linked.add(edge.target);
    }
  }
  // Unconnected nodes would all share the first rank (one column): chain them left to right in
  // document order, triggers first, as they will most likely be connected.
  const loose = def.nodes.filter((n) => !linked.has(n.id));
  loose.sort((a, b) => Number(b.type === "trigger") - Number(a.type === "trigger"));
  for (let i = 1; i < loose.length; i++) {
    const prev = loose[i - 1];
    const cur = loose[i];
    if (prev && cur) g.setEdge(prev.id, cur.id);
  }
  layout(g);
  return {
    ...def,
    nodes: def.nodes.map((node) => {
      const placed = g.node(node.id);
      const size = sizes[node.id] ?? DEFAULT_NODE_SIZE;
      if (!placed || placed.x === undefined || placed.y === undefined) return node;
      return {
        ...node,
        position: { x: Math.round(placed.x - size.width / 2), y: Math.round(placed.y - size.height / 2) },
      };
    }),
  };
}

/** Whether some node has no position yet (a definition written by hand or through the API). */
export function needsLayout(def: EditorDefinition): boolean {
  return def.nodes.some((n) => n.position === undefined);
}
