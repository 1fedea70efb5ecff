import { nodeModuleOf } from "@/lib/nodes/registry";
import { enclosingLoops } from "@/lib/workflow/bodies";
import type { EditorDefinition, EditorNode } from "./types";

/**
 * Loop bodies on the canvas (React Flow sub-flows): a body node's `position` is relative to its
 * loop, the loop is drawn as a box of `size`, and moving a node into or out of a box changes its
 * `parentId`. Pure functions over the editor document.
 */

/** The box a loop is drawn as when it has no size yet. */
export const DEFAULT_LOOP_SIZE = { width: 460, height: 250 } as const;
/** Room above a loop's body for its header (title, progress, item picker). */
export const LOOP_HEADER = 64;
const PAD = 24;

export const holdsBody = (node: Pick<EditorNode, "type">) => nodeModuleOf(node.type)?.holdsBody === true;

/** The node's position on the canvas, adding its loops' positions. */
export function absolutePosition(def: EditorDefinition, id: string): { x: number; y: number } {
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  let x = 0;
  let y = 0;
  const seen = new Set<string>();
  for (let n = byId.get(id); n && !seen.has(n.id); n = n.parentId ? byId.get(n.parentId) : undefined) {
    seen.add(n.id);
    x += n.position?.x ?? 0;
    y += n.position?.y ?? 0;
  }
  return { x, y };
}

/** `id` and every node inside it (at any depth). */
export function withDescendants(def: EditorDefinition, ids: Iterable<string>): Set<string> {
  const out = new Set(ids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of def.nodes) {
      if (n.parentId !== undefined && out.has(n.parentId) && !out.has(n.id)) {
        out.add(n.id);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * The innermost loop whose box contains the canvas point `p`, ignoring `exclude` (the dragged
 * nodes and what is inside them), or undefined.
 */
export function loopAt(
  def: EditorDefinition,
  p: { x: number; y: number },
  exclude: ReadonlySet<string> = new Set(),
): EditorNode | undefined {
  let best: { node: EditorNode; depth: number } | undefined;
  for (const n of def.nodes) {
    if (!holdsBody(n) || exclude.has(n.id)) continue;
    const at = absolutePosition(def, n.id);
    const size = n.size ?? DEFAULT_LOOP_SIZE;
    if (p.x < at.x || p.y < at.y || p.x > at.x + size.width || p.y > at.y + size.height) continue;
    const depth = enclosingLoops(def.nodes, n.id);
    if (!best || depth > best.depth) best = { node: n, depth };
  }
  return best?.node;
}

/**
 * Moves nodes into loop `parentId` (or out of every loop when undefined), keeping where they sit on
 * the canvas, and drops the edges that would now cross a body's boundary. Returns the document and
 * how many edges went.
 */
export function reparent(
  def: EditorDefinition,
  ids: readonly string[],
  parentId: string | undefined,
): { definition: EditorDefinition; droppedEdges: number } {
  const moving = new Set(ids.filter((id) => id !== parentId));
  if (moving.size === 0) return { definition: def, droppedEdges: 0 };
  const origin = parentId === undefined ? { x: 0, y: 0 } : absolutePosition(def, parentId);
  const nodes = def.nodes.map((n) => {
    if (!moving.has(n.id) || n.parentId === parentId) return n;
    const at = absolutePosition(def, n.id);
    let x = Math.round(at.x - origin.x);
    let y = Math.round(at.y - origin.y);
    // A node dropped into a box lands inside its body area, below the header.
    if (parentId !== undefined) {
      x = Math.max(PAD, x);
      y = Math.max(LOOP_HEADER + 8, y);
    }
    const next: EditorNode = { ...n, position: { x, y } };
    if (parentId === undefined) delete next.parentId;
    else next.parentId = parentId;
    return next;
  });
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId]));
  const edges = def.edges.filter((e) => parentOf.get(e.source) === parentOf.get(e.target));
  // React Flow draws a parent before its children: keep loops ahead of their bodies.
  return {
    definition: { ...def, nodes: parentsFirst(nodes), edges },
    droppedEdges: def.edges.length - edges.length,
  };
}

/** The nodes ordered so that every loop comes before the nodes inside it (stable otherwise). */
export function parentsFirst<T extends { id: string; parentId?: string }>(nodes: readonly T[]): T[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: T[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (n: T) => {
    if (placed.has(n.id) || visiting.has(n.id)) return;
    visiting.add(n.id);
    const parent = n.parentId !== undefined ? byId.get(n.parentId) : undefined;
    if (parent) place(parent);
    placed.add(n.id);
    out.push(n);
  };
  for (const n of nodes) place(n);
  return out;
}

/** The size a loop's box needs to hold its body nodes (at their positions) with some margin. */
export function fittedLoopSize(
  def: EditorDefinition,
  loopId: string,
  sizes: Readonly<Record<string, { width: number; height: number }>>,
  fallback: { width: number; height: number },
): { width: number; height: number } {
  let width: number = DEFAULT_LOOP_SIZE.width;
  let height: number = DEFAULT_LOOP_SIZE.height;
  for (const n of def.nodes) {
    if (n.parentId !== loopId) continue;
    const size = holdsBody(n) ? (n.size ?? DEFAULT_LOOP_SIZE) : (sizes[n.id] ?? fallback);
    width = Math.max(width, (n.position?.x ?? 0) + size.width + PAD);
    height = Math.max(height, (n.position?.y ?? 0) + size.height + PAD);
  }
  return { width: Math.round(width), height: Math.round(height) };
}
