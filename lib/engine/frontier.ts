import { resolveEdges } from "@/lib/workflow/graph";
import type { WorkflowDefinition, WorkflowNode } from "@/lib/workflow/schema";

/** Which outgoing edges of a settled node are live: none, those of one handle, or all but `error`. */
export type Liveness = null | string | typeof ALL_BUT_ERROR;
export const ALL_BUT_ERROR = Symbol("all-but-error");
export const NONE_LIVE: Liveness = null;
const isLive = (live: Liveness, handle: string) =>
  live === null ? false : live === ALL_BUT_ERROR ? handle !== "error" : handle === live;

interface InEdge {
  index: number;
  source: number;
}
interface OutEdge {
  index: number;
  target: number;
  handle: string;
}

/** What the frontier asks of its owner when a node's inputs have all settled. */
export interface FrontierHost {
  /**
   * Node `i` has at least one live input: restore or start it. Returns its liveness when it
   * settled at once (a restored checkpoint), or undefined when it will settle later.
   */
  ready(i: number): Liveness | undefined;
  /** Node `i` has only skipped inputs: it is skipped. */
  skipped(i: number): void;
  /** Whether settling should stop spreading (the run is failing or cancelled). */
  halted(): boolean;
}

/**
 * The frontier of a run: the participating nodes by index, how many incoming edges of each are
 * still unsettled, and which settled edges are live.
 *
 * States of a node: waiting (some incoming edge unsettled) → ready (all settled, at least one
 * live: it runs) or skipped (all settled, none live: its outgoing edges are skipped in turn).
 * When a node settles, each outgoing edge becomes live (its handle was taken) or skipped, and a
 * target whose count reaches zero becomes ready or skipped; a skip or a restored checkpoint
 * settles synchronously, so `settle` walks them with an explicit stack. O(edges) overall.
 */
export class Frontier {
  readonly nodes: WorkflowNode[] = [];
  readonly indexOf = new Map<string, number>();
  private readonly ins: InEdge[][];
  private readonly outs: OutEdge[][];
  private readonly pendingIn: Int32Array;
  private readonly liveIn: Int32Array;
  private readonly edgeLive: Uint8Array;
  /** `seenBy[source] === target + 1` while collecting a target's inputs: one entry per source. */
  private readonly seenBy: Int32Array;

  constructor(definition: Pick<WorkflowDefinition, "nodes" | "edges">, participating: ReadonlySet<string>) {
    for (const node of definition.nodes) {
      if (participating.has(node.id) && !this.indexOf.has(node.id)) {
        this.indexOf.set(node.id, this.nodes.length);
        this.nodes.push(node);
      }
    }
    const total = this.nodes.length;
    this.ins = this.nodes.map(() => []);
    this.outs = this.nodes.map(() => []);
    this.pendingIn = new Int32Array(total);
    this.liveIn = new Int32Array(total);
    this.seenBy = new Int32Array(total);
    const edges = resolveEdges(definition);
    this.edgeLive = new Uint8Array(edges.length);
    for (const e of edges) {
      const s = this.indexOf.get(e.source);
      const t = this.indexOf.get(e.target);
      if (s === undefined || t === undefined) continue;
      this.outs[s]!.push({ index: e.index, target: t, handle: e.handle });
      this.ins[t]!.push({ index: e.index, source: s });
      this.pendingIn[t]!++;
    }
  }

  get size(): number {
    return this.nodes.length;
  }

  /** Whether node `i` has incoming edges (a body's entry nodes have none). */
  hasInputs(i: number): boolean {
    return this.ins[i]!.length > 0;
  }

  /** Settles node `start` with `live` and everything that follows from it synchronously. */
  settle(start: number, live: Liveness, host: FrontierHost): void {
    const stack: Array<[number, Liveness]> = [[start, live]];
    while (stack.length > 0) {
      const [i, spec] = stack.pop()!;
      if (host.halted()) return;
      for (const e of this.outs[i]!) {
        const t = e.target;
        if (isLive(spec, e.handle)) {
          this.edgeLive[e.index] = 1;
          this.liveIn[t]!++;
        }
        if (--this.pendingIn[t]! !== 0) continue;
        if (this.liveIn[t]! > 0) {
          const next = host.ready(t);
          if (next !== undefined) stack.push([t, next]);
        } else {
          stack.push([t, NONE_LIVE]);
          host.skipped(t);
        }
      }
    }
  }

  /**
   * The live inputs of node `i` as `[sourceId, output]` pairs in incoming edge order, one per
   * source, read from `outputs`.
   */
  liveInputs(i: number, outputs: Record<string, unknown>): Array<readonly [string, unknown]> {
    const bySource: Array<readonly [string, unknown]> = [];
    const stamp = i + 1;
    for (const e of this.ins[i]!) {
      if (this.edgeLive[e.index] !== 1 || this.seenBy[e.source] === stamp) continue;
      this.seenBy[e.source] = stamp;
      const id = this.nodes[e.source]!.id;
      bySource.push([id, outputs[id]] as const);
    }
    return bySource;
  }
}

/** SPEC §1 `input`: the single live upstream output, or an object keyed by upstream id. */
export function inputOf(bySource: ReadonlyArray<readonly [string, unknown]>): unknown {
  if (bySource.length === 1) return bySource[0]![1];
  const keyed: Record<string, unknown> = Object.create(null);
  for (const [id, value] of bySource) keyed[id] = value;
  return keyed;
}
