import type { WorkflowEdge } from "@/lib/workflow/schema";
import { parentsFirst, withDescendants } from "./bodies";
import { uniqueEdgeId, uniqueNodeId } from "./ids";
import type { EditorDefinition, EditorNode } from "./types";

/** What Ctrl+C keeps: the copied nodes and the edges between them. */
export interface Clipboard {
  nodes: EditorNode[];
  edges: WorkflowEdge[];
}

/** The nodes `ids` and the edges among them, deep-copied. */
export function copyNodes(def: EditorDefinition, ids: readonly string[]): Clipboard {
  // A copied loop takes its body along.
  const wanted = withDescendants(def, ids);
  return structuredClone({
    nodes: def.nodes.filter((n) => wanted.has(n.id)),
    edges: def.edges.filter((e) => wanted.has(e.source) && wanted.has(e.target)),
  });
}

/**
 * Adds the clipboard to `def`, shifted by `offset`. Ids already in use are renamed (`fetch` →
 * `fetch_2`) and the pasted edges follow the renaming. Returns the new document and the ids of
 * the pasted nodes.
 */
export function pasteClipboard(
  def: EditorDefinition,
  clip: Clipboard,
  offset: { x: number; y: number } = { x: 40, y: 40 },
): { definition: EditorDefinition; ids: string[] } {
  const taken = new Set(def.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  for (const node of clip.nodes) {
    const id = uniqueNodeId(taken, node.id);
    taken.add(id);
    rename.set(node.id, id);
  }
  const nodes = clip.nodes.map((node) => {
    const id = rename.get(node.id)!;
    const copy: EditorNode = { ...structuredClone(node), id };
    // A body node pasted with its loop stays in the copy; pasted alone, it lands outside any loop.
    const parent = node.parentId === undefined ? undefined : rename.get(node.parentId);
    if (parent === undefined) {
      delete copy.parentId;
      const position = node.position ?? { x: 0, y: 0 };
      copy.position = { x: position.x + offset.x, y: position.y + offset.y };
    } else copy.parentId = parent;
    return copy;
  });
  const edgeIds = new Set(def.edges.flatMap((e) => (e.id ? [e.id] : [])));
  const edges = clip.edges.map((edge) => {
    const source = rename.get(edge.source) ?? edge.source;
    const target = rename.get(edge.target) ?? edge.target;
    const id = uniqueEdgeId(edgeIds, source, target, edge.sourceHandle ?? undefined);
    edgeIds.add(id);
    return { ...edge, id, source, target };
  });
  return {
    definition: { ...def, nodes: parentsFirst([...def.nodes, ...nodes]), edges: [...def.edges, ...edges] },
    ids: nodes.map((n) => n.id),
  };
}
