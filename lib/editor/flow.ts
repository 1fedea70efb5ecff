import type { Edge, Node } from "@xyflow/react";
import { defaultHandleOf } from "@/lib/nodes/registry";
import { DEFAULT_LOOP_SIZE, holdsBody, parentsFirst } from "./bodies";
import type { EditorDefinition, EditorNode } from "./types";

/** React Flow node data: the workflow node itself. */
export type FlowNodeData = { node: EditorNode };
/** A node on the canvas: a loop is a `loop` box (a React Flow group) holding its body nodes. */
export type FlowNode = Node<FlowNodeData, "workflow" | "loop">;
export type FlowEdgeData = { handle: string };
export type FlowEdge = Edge<FlowEdgeData, "workflow">;

interface NodeCacheEntry {
  node: EditorNode;
  selected: boolean;
  measured: { width: number; height: number } | undefined;
  flow: FlowNode;
}

/**
 * Turns the document into React Flow nodes, reusing the previous object for every node whose
 * source, selection and size did not change — so memoized node components skip re-rendering
 * and a 500-node canvas only redraws what moved.
 */
export function createFlowNodeMapper() {
  let cache = new Map<string, NodeCacheEntry>();
  return (
    def: EditorDefinition,
    selected: ReadonlySet<string>,
    measured: Readonly<Record<string, { width: number; height: number }>>,
  ): FlowNode[] => {
    const next = new Map<string, NodeCacheEntry>();
    const out = parentsFirst(def.nodes).map((node) => {
      const isSelected = selected.has(node.id);
      const size = measured[node.id];
      const hit = cache.get(node.id);
      if (hit && hit.node === node && hit.selected === isSelected && hit.measured === size) {
        next.set(node.id, hit);
        return hit.flow;
      }
      const box = holdsBody(node) ? (node.size ?? DEFAULT_LOOP_SIZE) : undefined;
      const flow: FlowNode = {
        id: node.id,
        type: box ? "loop" : "workflow",
        position: node.position ?? { x: 0, y: 0 },
        data: { node },
        selected: isSelected,
        ...(box ? { width: box.width, height: box.height } : {}),
        ...(node.parentId !== undefined ? { parentId: node.parentId } : {}),
        ...(size ? { measured: size } : {}),
      };
      next.set(node.id, { node, selected: isSelected, measured: size, flow });
      return flow;
    });
    cache = next;
    return out;
  };
}

/** The id the editor gives an edge that has none. */
export function edgeIdOf(edge: {
  id?: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
}): string {
  return edge.id ?? `${edge.source}:${edge.sourceHandle ?? "out"}->${edge.target}`;
}

/** React Flow edges for the document (handles resolved, so condition edges leave the right side). */
export function toFlowEdges(def: EditorDefinition, selected: ReadonlySet<string>): FlowEdge[] {
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  return def.edges.map((edge) => {
    const source = byId.get(edge.source);
    const handle = edge.sourceHandle ?? (source ? defaultHandleOf(source) : undefined) ?? "out";
    const id = edgeIdOf(edge);
    return {
      id,
      type: "workflow",
      source: edge.source,
      target: edge.target,
      sourceHandle: handle,
      data: { handle },
      selected: selected.has(id),
    };
  });
}
