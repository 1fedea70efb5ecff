import { defaultHandleOf, isTriggerNode } from "@/lib/nodes/registry";
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from "./schema";

/**
 * Plain graph helpers over a workflow definition, shared by the canvas, the validator and the
 * engine. They take plain data and never throw on unknown ids: validation is `validate.ts`'s job.
 */

/** An edge with its handle resolved and a stable key. */
export interface ResolvedEdge {
  key: string;
  index: number;
  source: string;
  target: string;
  /** The source handle the edge leaves from (`out`, `true`, `false`, `error`). */
  handle: string;
}

/** The stable key of an edge: its id, else `source:handle->target`. */
export function edgeKey(edge: WorkflowEdge, handle: string): string {
  return edge.id ?? `${edge.source}:${handle}->${edge.target}`;
}

/** Resolves each edge's handle (an edge that names none leaves from `out`). */
export function resolveEdges(def: Pick<WorkflowDefinition, "nodes" | "edges">): ResolvedEdge[] {
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  return def.edges.map((edge, index) => {
    const source = byId.get(edge.source);
    const handle = edge.sourceHandle ?? (source ? defaultHandleOf(source) : undefined) ?? "out";
    return { key: edgeKey(edge, handle), index, source: edge.source, target: edge.target, handle };
  });
}

export interface Adjacency {
  outgoing: Map<string, ResolvedEdge[]>;
  incoming: Map<string, ResolvedEdge[]>;
}

/** Outgoing and incoming edges per node id (every node has an entry, possibly empty). */
export function adjacency(def: Pick<WorkflowDefinition, "nodes" | "edges">): Adjacency {
  const outgoing = new Map<string, ResolvedEdge[]>();
  const incoming = new Map<string, ResolvedEdge[]>();
  for (const n of def.nodes) {
    outgoing.set(n.id, []);
    incoming.set(n.id, []);
  }
  for (const e of resolveEdges(def)) {
    outgoing.get(e.source)?.push(e);
    incoming.get(e.target)?.push(e);
  }
  return { outgoing, incoming };
}

/** The trigger a run starts from: the one asked for, else the only one, else the first in `nodes`. */
export function pickTrigger(
  def: Pick<WorkflowDefinition, "nodes">,
  triggerId?: string,
): WorkflowNode | undefined {
  if (triggerId !== undefined) return def.nodes.find((n) => n.id === triggerId && isTriggerNode(n));
  return def.nodes.find(isTriggerNode);
}

/** Ids of the nodes reachable from `startId` (itself included), following edges forward. */
export function reachableFrom(
  def: Pick<WorkflowDefinition, "nodes" | "edges">,
  startId: string,
): Set<string> {
  const { outgoing } = adjacency(def);
  const seen = new Set<string>();
  if (!outgoing.has(startId)) return seen;
  const stack = [startId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of outgoing.get(id) ?? []) if (!seen.has(e.target)) stack.push(e.target);
  }
  return seen;
}

/** Ids of every node with a path to `nodeId` (itself excluded). */
export function ancestorsOf(def: Pick<WorkflowDefinition, "nodes" | "edges">, nodeId: string): Set<string> {
  const { incoming } = adjacency(def);
  const seen = new Set<string>();
  const stack = [nodeId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const e of incoming.get(id) ?? []) {
      if (!seen.has(e.source)) {
        seen.add(e.source);
        stack.push(e.source);
      }
    }
  }
  return seen;
}

/**
 * Kahn's topological order of the given nodes. When the graph has a cycle, `cycle` holds the ids
 * of one cycle (in order) and `order` the nodes that could be ordered.
 */
export function topologicalOrder(def: Pick<WorkflowDefinition, "nodes" | "edges">): {
  order: string[];
  cycle?: string[];
} {
  const { outgoing, incoming } = adjacency(def);
  const indegree = new Map<string, number>();
  for (const [id, ins] of incoming) indegree.set(id, ins.length);
  const queue: string[] = [];
  for (const n of def.nodes) if (indegree.get(n.id) === 0) queue.push(n.id);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    order.push(id);
    for (const e of outgoing.get(id) ?? []) {
      const d = (indegree.get(e.target) ?? 0) - 1;
      indegree.set(e.target, d);
      if (d === 0) queue.push(e.target);
    }
  }
  if (order.length === indegree.size) return { order };
  return { order, cycle: findCycle(def) };
}

/** One cycle of the graph as a list of node ids (first id not repeated), or undefined. */
export function findCycle(def: Pick<WorkflowDefinition, "nodes" | "edges">): string[] | undefined {
  const { outgoing } = adjacency(def);
  const state = new Map<string, 1 | 2>(); // 1: on stack, 2: done
  for (const n of def.nodes) {
    if (state.has(n.id)) continue;
    // Iterative DFS keeping the path so the cycle can be reported.
    const path: string[] = [];
    const iters: Array<Iterator<ResolvedEdge>> = [];
    const push = (id: string) => {
      state.set(id, 1);
      path.push(id);
      iters.push((outgoing.get(id) ?? [])[Symbol.iterator]());
    };
    push(n.id);
    while (iters.length > 0) {
      const next = iters[iters.length - 1]!.next();
      if (next.done) {
        state.set(path.pop()!, 2);
        iters.pop();
        continue;
      }
      const t = next.value.target;
      const s = state.get(t);
      if (s === 1) return path.slice(path.indexOf(t));
      if (s === undefined && outgoing.has(t)) push(t);
    }
  }
  return undefined;
}

/**
 * The longest path through the DAG where each node weighs `durations[id]` (missing: 0).
 * Returns its total and its node ids from start to end.
 */
export function criticalPath(
  def: Pick<WorkflowDefinition, "nodes" | "edges">,
  durations: Readonly<Record<string, number>>,
): { length: number; path: string[] } {
  const { order } = topologicalOrder(def);
  const { incoming } = adjacency(def);
  const finish = new Map<string, number>();
  const prev = new Map<string, string>();
  let best: string | undefined;
  for (const id of order) {
    let start = Number.NEGATIVE_INFINITY;
    for (const e of incoming.get(id) ?? []) {
      const f = finish.get(e.source);
      if (f !== undefined && f > start) {
        start = f;
        prev.set(id, e.source);
      }
    }
    const f = Math.max(start, 0) + (durations[id] ?? 0);
    finish.set(id, f);
    if (best === undefined || f > finish.get(best)!) best = id;
  }
  if (best === undefined) return { length: 0, path: [] };
  const path: string[] = [];
  for (let id: string | undefined = best; id !== undefined; id = prev.get(id)) path.unshift(id);
  return { length: finish.get(best)!, path };
}
