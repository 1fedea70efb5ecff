import { defaultHandleOf } from "@/lib/nodes/registry";
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from "@/lib/workflow/schema";

/**
 * The difference between two workflow definitions, as plain data the canvas, the versions page,
 * the builder's "what am I about to save" dialog and tests share. Pure: no I/O, no React.
 *
 * Nodes are matched by id. A node is `changed` when anything but its position differs (a move
 * alone sets `moved`, and keeps it `unchanged`, so the canvas does not light up for layout).
 * Edges are matched by what they connect (`source:handle->target`), not by their id, which the
 * builder may regenerate.
 */

/** How a node or an edge differs. */
export type ChangeKind = "added" | "removed" | "changed" | "unchanged";

/** One field that differs, by dotted path (`config.url`, `retry.maxAttempts`, `headers[0]`). */
export interface FieldChange {
  path: string;
  kind: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

/** One node of the diff. */
export interface NodeDiff {
  id: string;
  kind: ChangeKind;
  before?: WorkflowNode;
  after?: WorkflowNode;
  /** Field-by-field changes (empty unless `changed`). */
  fields: FieldChange[];
  /** Its position differs. */
  moved: boolean;
}

/** One edge of the diff. */
export interface EdgeDiff {
  key: string;
  kind: Exclude<ChangeKind, "changed">;
  source: string;
  target: string;
  handle: string;
  edge: WorkflowEdge;
}

/** The whole diff; `nodes` in the order of `after`, removed ones last. */
export interface WorkflowDiff {
  nodes: NodeDiff[];
  edges: EdgeDiff[];
  /** Changes to `name` and `settings`. */
  workflow: FieldChange[];
  counts: { added: number; removed: number; changed: number; edgesAdded: number; edgesRemoved: number };
  /** Nothing but positions (or nothing at all) differs. */
  same: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether two JSON values are equal (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

const join = (base: string, key: string | number) =>
  typeof key === "number" ? `${base}[${key}]` : base ? `${base}.${key}` : key;

/**
 * The field-by-field changes from `before` to `after`: objects are walked key by key, arrays of
 * equal length item by item; anything else that differs is one change at its path.
 */
export function diffValues(before: unknown, after: unknown, base = ""): FieldChange[] {
  if (jsonEqual(before, after)) return [];
  if (before === undefined) return [{ path: base, kind: "added", after }];
  if (after === undefined) return [{ path: base, kind: "removed", before }];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => diffValues(before[k], after[k], join(base, k)));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((v, i) => diffValues(v, after[i], join(base, i)));
  }
  return [{ path: base, kind: "changed", before, after }];
}

function edgeOf(edge: WorkflowEdge, nodes: Map<string, WorkflowNode>) {
  const source = nodes.get(edge.source);
  const handle = edge.sourceHandle ?? (source ? defaultHandleOf(source) : undefined) ?? "out";
  const target = edge.targetHandle ? `${edge.target}:${edge.targetHandle}` : edge.target;
  return {
    key: `${edge.source}:${handle}->${target}`,
    source: edge.source,
    target: edge.target,
    handle,
    edge,
  };
}

const withoutPosition = ({ position: _p, ...rest }: WorkflowNode) => rest;

/** Diffs two definitions (either may be undefined: everything is then added or removed). */
export function diffWorkflows(
  before: Pick<WorkflowDefinition, "nodes" | "edges"> & Partial<WorkflowDefinition>,
  after: Pick<WorkflowDefinition, "nodes" | "edges"> & Partial<WorkflowDefinition>,
): WorkflowDiff {
  const oldNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const newNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const nodes: NodeDiff[] = [];
  for (const node of after.nodes) {
    const prior = oldNodes.get(node.id);
    if (!prior) {
      nodes.push({ id: node.id, kind: "added", after: node, fields: [], moved: false });
      continue;
    }
    const fields = diffValues(withoutPosition(prior), withoutPosition(node));
    const moved = !jsonEqual(prior.position, node.position);
    nodes.push({
      id: node.id,
      kind: fields.length > 0 ? "changed" : "unchanged",
      before: prior,
      after: node,
      fields,
      moved,
    });
  }
  for (const node of before.nodes) {
    if (!newNodes.has(node.id))
      nodes.push({ id: node.id, kind: "removed", before: node, fields: [], moved: false });
  }

  const oldEdges = new Map(before.edges.map((e) => edgeOf(e, oldNodes)).map((e) => [e.key, e]));
  const newEdges = new Map(after.edges.map((e) => edgeOf(e, newNodes)).map((e) => [e.key, e]));
  const edges: EdgeDiff[] = [];
  for (const [key, e] of newEdges) edges.push({ ...e, kind: oldEdges.has(key) ? "unchanged" : "added" });
  for (const [key, e] of oldEdges) if (!newEdges.has(key)) edges.push({ ...e, kind: "removed" });

  const workflow = [
    ...diffValues(before.name, after.name, "name"),
    ...diffValues(before.settings, after.settings, "settings"),
  ];
  const count = (kind: ChangeKind) => nodes.filter((n) => n.kind === kind).length;
  const counts = {
    added: count("added"),
    removed: count("removed"),
    changed: count("changed"),
    edgesAdded: edges.filter((e) => e.kind === "added").length,
    edgesRemoved: edges.filter((e) => e.kind === "removed").length,
  };
  const same =
    workflow.length === 0 &&
    counts.added + counts.removed + counts.changed + counts.edgesAdded + counts.edgesRemoved === 0;
  return { nodes, edges, workflow, counts, same };
}

/** One line per field change, for lists and titles: `config.url: "a" → "b"`. */
export function describeFieldChange(change: FieldChange): string {
  const show = (v: unknown) => {
    const text = JSON.stringify(v);
    return text === undefined ? "—" : text.length > 80 ? `${text.slice(0, 77)}…` : text;
  };
  if (change.kind === "added") return `${change.path}: + ${show(change.after)}`;
  if (change.kind === "removed") return `${change.path}: − ${show(change.before)}`;
  return `${change.path}: ${show(change.before)} → ${show(change.after)}`;
}
