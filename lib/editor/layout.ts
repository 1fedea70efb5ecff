import { Graph, layout } from "@dagrejs/dagre";
import { enclosingLoops } from "@/lib/workflow/bodies";
import { DEFAULT_LOOP_SIZE, holdsBody, LOOP_HEADER } from "./bodies";
import type { EditorDefinition, EditorNode } from "./types";

/** The size a node is laid out with when it has not been measured on screen. */
export const DEFAULT_NODE_SIZE = { width: 220, height: 72 } as const;

type Size = { width: number; height: number };
const BODY_PAD = 24;

/**
 * Positions every node left to right with dagre (ranks follow the edges), keeping everything
 * else as it is. `sizes` are measured node sizes by id. Each loop's body is laid out inside the
 * loop's box first (innermost loops first), and the box is sized to hold it; then each enclosing
 * level is laid out with those boxes as its nodes.
 */
export function layoutDefinition(
  def: EditorDefinition,
  sizes: Readonly<Record<string, Size>> = {},
): EditorDefinition {
  const positions = new Map<string, { x: number; y: number }>();
  const loopSizes = new Map<string, Size>();
  const sizeOf = (n: EditorNode): Size =>
    holdsBody(n) ? (loopSizes.get(n.id) ?? n.size ?? DEFAULT_LOOP_SIZE) : (sizes[n.id] ?? DEFAULT_NODE_SIZE);
  const byParent = new Map<string | undefined, EditorNode[]>();
  for (const n of def.nodes) {
    const list = byParent.get(n.parentId) ?? [];
    list.push(n);
    byParent.set(n.parentId, list);
  }
  const loops = def.nodes.filter((n) => holdsBody(n) && byParent.has(n.id));
  // Innermost first: the loop with the most loops around it.
  const depth = new Map(loops.map((n) => [n.id, enclosingLoops(def.nodes, n.id)]));
  loops.sort((a, b) => depth.get(b.id)! - depth.get(a.id)!);
  for (const loop of loops) {
    const placed = layoutScope(byParent.get(loop.id)!, def.edges, sizeOf);
    let width = 0;
    let height = 0;
    for (const n of byParent.get(loop.id)!) {
      const p = placed.get(n.id);
      if (!p) continue;
      const at = { x: p.x + BODY_PAD, y: p.y + LOOP_HEADER };
      positions.set(n.id, at);
      const size = sizeOf(n);
      width = Math.max(width, at.x + size.width + BODY_PAD);
      height = Math.max(height, at.y + size.height + BODY_PAD);
    }
    loopSizes.set(loop.id, {
      width: Math.max(DEFAULT_LOOP_SIZE.width, Math.round(width)),
      height: Math.max(DEFAULT_LOOP_SIZE.height, Math.round(height)),
    });
  }
  for (const [at, p] of layoutScope(byParent.get(undefined) ?? [], def.edges, sizeOf, 20))
    positions.set(at, p);
  return {
    ...def,
    nodes: def.nodes.map((node) => {
      const p = positions.get(node.id);
      const size = loopSizes.get(node.id);
      if (!p && !size) return node;
      const next = { ...node };
      if (p) next.position = p;
      if (size) next.size = size;
      return next;
    }),
  };
}

/** Lays one level out (the top level, or one body) and returns top-left positions by id. */
function layoutScope(
  nodes: readonly EditorNode[],
  allEdges: EditorDefinition["edges"],
  sizeOf: (n: EditorNode) => Size,
  margin = 0,
): Map<string, { x: number; y: number }> {
  const g = new Graph();
  g.setGraph({ rankdir: "LR", nodesep: 36, ranksep: 90, marginx: margin, marginy: margin });
  g.setDefaultEdgeLabel(() => ({}));
  // dagre writes x and y onto the label: give each node its own object.
  for (const node of nodes) {
    const { width, height } = sizeOf(node);
    g.setNode(node.id, { width, height });
  }
  const ids = new Set(nodes.map((n) => n.id));
  const linked = new Set<string>();
  for (const edge of allEdges) {
    if (ids.has(edge.source) && ids.has(edge.target)) {
      g.setEdge(edge.source, edge.target);
      linked.add(edge.source);
      linked.add(edge.target);
    }
  }
  // Unconnected nodes would all share the first rank (one column): chain them left to right in
  // document order, triggers first, as they will most likely be connected.
  const loose = nodes.filter((n) => !linked.has(n.id));
  loose.sort((a, b) => Number(b.type === "trigger") - Number(a.type === "trigger"));
  for (let i = 1; i < loose.length; i++) {
    const prev = loose[i - 1];
    const cur = loose[i];
    if (prev && cur) g.setEdge(prev.id, cur.id);
  }
  layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const node of nodes) {
    const placed = g.node(node.id);
    if (!placed || placed.x === undefined || placed.y === undefined) continue;
    const size = sizeOf(node);
    out.set(node.id, { x: Math.round(placed.x - size.width / 2), y: Math.round(placed.y - size.height / 2) });
  }
  return out;
}

/** Whether some node has no position yet (a definition written by hand or through the API). */
export function needsLayout(def: EditorDefinition): boolean {
  return def.nodes.some((n) => n.position === undefined);
}
