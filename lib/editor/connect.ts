import { defaultHandleOf, handlesOf, isTriggerNode } from "@/lib/nodes/registry";
import { findCycle } from "@/lib/workflow/graph";
import { asGraph, type EditorDefinition, type EditorNode } from "./types";

/** A connection the user is making: React Flow's `Connection`, with the handle possibly unset. */
export interface ConnectionRequest {
  source: string;
  target: string;
  sourceHandle?: string | null;
}

export type ConnectionCheck = { ok: true; handle: string } | { ok: false; reason: string };

/**
 * Whether `conn` may be added to `def`, and if not, why — in words a user reads in a toast:
 * unknown ends, self loops, edges into a trigger, handles the source does not have, duplicates
 * and cycles are refused.
 */
export function checkConnection(def: EditorDefinition, conn: ConnectionRequest): ConnectionCheck {
  const source = def.nodes.find((n) => n.id === conn.source);
  const target = def.nodes.find((n) => n.id === conn.target);
  if (!source) return { ok: false, reason: `there is no node "${conn.source}"` };
  if (!target) return { ok: false, reason: `there is no node "${conn.target}"` };
  if (source.id === target.id) return { ok: false, reason: "a node cannot connect to itself" };
  if (source.parentId !== target.parentId) {
    const where = (n: EditorNode) =>
      n.parentId === undefined ? "outside any loop" : `in loop "${n.parentId}"`;
    return {
      ok: false,
      reason: `an edge cannot cross a loop's boundary ("${source.id}" is ${where(source)}, "${target.id}" is ${where(target)})`,
    };
  }
  if (isTriggerNode(target))
    return { ok: false, reason: `trigger "${target.id}" cannot have incoming edges` };
  const handles = handlesOf(source);
  const handle = conn.sourceHandle ?? defaultHandleOf(source);
  if (handles.length === 0) return { ok: false, reason: `${source.type} node "${source.id}" has no outputs` };
  if (handle === undefined || !handles.includes(handle)) {
    return {
      ok: false,
      reason: `${source.type} node "${source.id}" has no handle "${handle ?? ""}" (it has ${handles.map((h) => `"${h}"`).join(", ")})`,
    };
  }
  const duplicate = def.edges.some(
    (e) =>
      e.source === source.id &&
      e.target === target.id &&
      (e.sourceHandle ?? defaultHandleOf(source)) === handle,
  );
  if (duplicate) return { ok: false, reason: `"${source.id}" is already connected to "${target.id}"` };
  const cycle = findCycle(
    asGraph({ ...def, edges: [...def.edges, { source: source.id, target: target.id }] }),
  );
  if (cycle) {
    return { ok: false, reason: `that would make a cycle: ${[...cycle, cycle[0]].join(" → ")}` };
  }
  return { ok: true, handle };
}
