import type { NodeTypeModule } from "@/lib/nodes/define";
import { nodeModuleOf } from "@/lib/nodes/registry";
import { type Body, iterationKey } from "@/lib/workflow/bodies";
import type { WorkflowNode } from "@/lib/workflow/schema";
import type { EventChain } from "./event-chain";
import type { BodyRunner, ItemOutcome } from "./executor";
import type { ExpressionScope } from "./expressions";
import { ALL_BUT_ERROR, Frontier, type FrontierHost, inputOf, type Liveness, NONE_LIVE } from "./frontier";
import { type AttemptHost, runAttempts } from "./node-attempts";
import { createAttemptHost, finishNode, PARTIAL_INTERVAL_MS, RunAbort } from "./node-step";
import type {
  Clock,
  EnginePorts,
  LogEvent,
  LoopProgress,
  NodeCheckpoint,
  NodeError,
  NodeEvent,
} from "./ports";
import { createSlots, type Slots } from "./slots";

/** What every scope of one run shares: ports, the event chain, the journal's restored state, stop rules. */
export interface RunShared {
  ports: EnginePorts;
  clock: Clock;
  redact: <T>(value: T) => T;
  events: EventChain;
  at(): string;
  inputs: unknown;
  secrets?: Record<string, string>;
  maxConcurrency: number;
  /**
   * Checkpoints by journal key that a scope may settle a node from: those loaded at start, plus
   * the succeeded and skipped body checkpoints of this run (so a loop's own retry reuses its items).
   */
  known: Map<string, NodeCheckpoint>;
  /** Every loop's body, by loop id. */
  bodies: Map<string, Body>;
  /** Journal keys of nodes whose waits are still pending (they stay suspended without running). */
  pendingWaits?: Set<string>;
  /** Whether the run lets a new node start (not stopping, before the soft deadline). */
  mayStart(): boolean;
  /** A failed save or emit: the run fails with a journal error. */
  fatal(err: unknown): void;
  log(level: LogEvent["level"], message: string, nodeId?: string, iteration?: number[]): void;
}

/** How one scope (the top-level graph, or one item of a loop's body) behaves. */
export interface ScopeOptions {
  /** The item index path of a body scope; undefined at the top level. */
  path?: number[];
  /** Outputs visible as `nodes` (a body sees the outer nodes settled before its loop started). */
  nodes: Record<string, unknown>;
  /** A body scope's item: its entry nodes get it as `input`. */
  item?: { value: unknown; index: number };
  slots: Slots;
  signal: AbortSignal;
  mayStart(): boolean;
  /** Whether settling should stop spreading (the scope is failing or cancelled). */
  halted(): boolean;
  /** A node ended `failed` under `onError: "fail"` (or, in a body, was restored so). */
  onFailed(node: WorkflowNode, error: NodeError): void;
  /** A node settled with a result (succeeded, or failed under continue/branch), run or restored. */
  onResult?(node: WorkflowNode, module: NodeTypeModule | undefined, cp: NodeCheckpoint): void;
  /** Top level: where the latest checkpoint of each node is kept for the run's outcome. */
  checkpoints?: Record<string, NodeCheckpoint>;
}

/** Per-node state of a node being run. */
interface NodeRun {
  i: number;
  node: WorkflowNode;
  key: string;
  input: unknown;
  startedAt: string;
  holding: boolean;
  lastPartial: number;
  /** The node's latest checkpoint save: the next one is issued after it, so saves never reorder. */
  saved: Promise<void>;
  /** A loop's latest progress, and when it was last emitted. */
  progress?: LoopProgress;
  lastProgress: number;
}

/** A loop body prepared once per run: its definition slice, entry and sink nodes. */
interface BodyGraph {
  body: Body;
  ids: Set<string>;
  sinks: string[];
}

/**
 * One scope of a run: the top-level graph, or one item of a loop's body. It owns a `Frontier`
 * over its nodes and runs each ready node through attempts → checkpoint → event, exactly the same
 * way at every level (skips, merges, retries, onError). A body node's checkpoint is keyed by its
 * iteration path (`node#3.0`) and its events carry `iteration`.
 *
 * A node that holds a body (a loop) gets a `BodyRunner` that runs a fresh child scope per item
 * with its own slots of `maxConcurrency`; the loop keeps its own slot meanwhile, so nesting cannot
 * starve. A loop is never restored from its own checkpoint: it runs again and its items restore.
 */
export class ScopeRun {
  readonly frontier: Frontier;
  readonly modules: (NodeTypeModule | undefined)[];
  /** Nodes settled (succeeded, failed, skipped), run or restored. */
  finished = 0;
  /** Nodes suspended (`waiting`): they finish when their wait is resumed, in a later claim. */
  waiting = 0;
  readonly done: Promise<void>;
  private active = 0;
  private resolveDone!: () => void;
  private readonly host: AttemptHost<NodeRun>;
  private readonly frontierHost: FrontierHost;

  constructor(
    private readonly shared: RunShared,
    frontier: Frontier,
    private readonly opts: ScopeOptions,
  ) {
    this.frontier = frontier;
    this.modules = frontier.nodes.map((n) => nodeModuleOf(n.type));
    this.done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
    this.frontierHost = {
      halted: () => opts.halted(),
      ready: (i) => this.ready(i),
      skipped: (i) => this.skipped(i),
    };
    this.host = this.createHost();
    // A node resumed by a link (a webhook or approval wait) shows its links until it finishes.
    const waits = shared.ports.waits;
    if (waits) {
      frontier.nodes.forEach((node, i) => {
        if (this.modules[i]?.exposesWaitLinks?.(node.config as never))
          opts.nodes[node.id] = { ...waits.links(this.key(node.id)) };
      });
    }
  }

  /** Starts the scope at `entries` (a trigger, or a body's nodes without incoming edges). */
  start(entries: readonly number[]): void {
    this.active++;
    for (const i of entries) {
      if (this.opts.halted()) break;
      const live = this.ready(i);
      if (live !== undefined) this.frontier.settle(i, live, this.frontierHost);
    }
    this.taskDone();
  }

  private key(nodeId: string): string {
    return iterationKey(nodeId, this.opts.path);
  }

  private taskDone() {
    if (--this.active === 0) this.resolveDone();
  }

  /** A checkpoint that settles node `i` without running it, if there is one. */
  private restorable(i: number): NodeCheckpoint | undefined {
    const node = this.frontier.nodes[i]!;
    const module = this.modules[i];
    const cp = this.shared.known.get(this.key(node.id));
    if (!cp) return undefined;
    if (cp.status === "skipped") return cp;
    if (module?.holdsBody) return undefined;
    // A node that routes by handle is run again (it is pure) when its checkpoint lost the handle.
    if (cp.status === "succeeded") return module?.routesByHandle && cp.handle === undefined ? undefined : cp;
    if (cp.status === "failed") {
      if (node.onError === "continue" || node.onError === "branch") return cp;
      // In a body, a failed item stays failed on resume; `retry` drops the failure to run it again.
      if (this.opts.path) return cp;
    }
    return undefined;
  }

  /** Whether node `i` would settle from a checkpoint (for the run's initial progress). */
  isRestorable(i: number): boolean {
    return this.restorable(i) !== undefined;
  }

  private settleEffects(i: number, cp: NodeCheckpoint) {
    const node = this.frontier.nodes[i]!;
    this.finished++;
    if (cp.status === "succeeded" || cp.status === "failed") {
      this.opts.nodes[node.id] = cp.output;
      this.opts.onResult?.(node, this.modules[i], cp);
    }
  }

  private ready(i: number): Liveness | undefined {
    const node = this.frontier.nodes[i]!;
    const pending = this.shared.pendingWaits;
    if (pending && pending.size > 0) {
      const key = this.key(node.id);
      if (pending.has(key) && this.shared.known.get(key)?.status === "waiting") {
        this.waiting++;
        return undefined;
      }
    }
    const cp = this.restorable(i);
    if (cp) {
      if (this.opts.checkpoints) this.opts.checkpoints[node.id] = cp;
      this.settleEffects(i, cp);
      if (cp.status === "skipped") return NONE_LIVE;
      if (cp.status === "failed") {
        if (node.onError === "branch") return "error";
        if (node.onError === "continue") return ALL_BUT_ERROR;
        this.opts.onFailed(node, cp.error ?? { message: "failed" });
        return undefined;
      }
      return cp.handle ?? "out";
    }
    if (!this.opts.mayStart()) return undefined;
    this.active++;
    void this.runNode(i);
    return undefined;
  }

  private skipped(i: number) {
    const node = this.frontier.nodes[i]!;
    const key = this.key(node.id);
    const prior = this.shared.known.get(key);
    this.finished++;
    if (prior?.status === "skipped") {
      if (this.opts.checkpoints) this.opts.checkpoints[node.id] = prior;
      return;
    }
    const cp: NodeCheckpoint = { nodeId: key, status: "skipped", attempts: 0, finishedAt: this.shared.at() };
    if (this.opts.path) this.shared.known.set(key, cp);
    const saved = this.record(cp);
    saved.catch(() => {}); // awaited (and reported) by the event chain
    this.shared.events.push(this.nodeEvent(node.id, "skipped", 0, cp.finishedAt!), saved);
  }

  private record(cp: NodeCheckpoint): Promise<void> {
    const safe = this.shared.redact(cp);
    if (this.opts.checkpoints) this.opts.checkpoints[cp.nodeId] = safe;
    return this.shared.ports.journal.save(safe);
  }

  private nodeEvent(nodeId: string, status: NodeEvent["status"], attempt: number, at: string): NodeEvent {
    const event: NodeEvent = { type: "node", nodeId, status, attempt, at };
    if (this.opts.path) event.iteration = this.opts.path;
    return event;
  }

  /** Saves `cp` after the node's previous save; awaited only when the node has side effects. */
  private checkpoint(run: NodeRun, cp: NodeCheckpoint): { saved: Promise<void>; safe: NodeCheckpoint } {
    const safe = this.shared.redact(cp);
    if (this.opts.checkpoints) this.opts.checkpoints[run.node.id] = safe;
    const saved = run.saved.then(() => this.shared.ports.journal.save(safe));
    saved.catch(() => {}); // reported by the event chain, which awaits it
    run.saved = saved;
    return { saved, safe };
  }

  private scopeOf(input: unknown): ExpressionScope {
    const { shared, opts } = this;
    const scope: ExpressionScope = { inputs: shared.inputs, nodes: opts.nodes, input };
    if (shared.secrets) scope.secrets = shared.secrets;
    if (opts.item) {
      scope.item = opts.item.value;
      scope.index = opts.item.index;
    }
    return scope;
  }

  private inputsOf(i: number): { scope: ExpressionScope; bySource: Array<readonly [string, unknown]> } {
    if (this.modules[i]?.startsRun) return { scope: this.scopeOf(this.shared.inputs), bySource: [] };
    if (this.opts.item && !this.frontier.hasInputs(i))
      return { scope: this.scopeOf(this.opts.item.value), bySource: [] };
    const bySource = this.frontier.liveInputs(i, this.opts.nodes);
    return { scope: this.scopeOf(inputOf(bySource)), bySource };
  }

  private createHost(): AttemptHost<NodeRun> {
    const { shared, opts } = this;
    return createAttemptHost<NodeRun>({
      ports: shared.ports,
      clock: shared.clock,
      signal: opts.signal,
      onAttemptStart: async (run, attempt) => {
        const { saved } = this.checkpoint(run, {
          nodeId: run.key,
          status: "running",
          attempts: attempt,
          input: run.input,
          startedAt: run.startedAt,
        });
        shared.events.push(
          this.nodeEvent(run.node.id, "running", attempt, attempt === 1 ? run.startedAt : shared.at()),
          saved,
        );
        if (this.modules[run.i]?.sideEffects !== false) await saved;
      },
      log: (run, level, message) => shared.log(level, message, run.node.id, opts.path),
      partial(run, when, text) {
        shared.events.push({ type: "partial", nodeId: run.node.id, at: when, text: shared.redact(text) });
      },
      onRetry(run) {
        opts.slots.release();
        run.holding = false;
      },
      async resume(run) {
        const got = opts.slots.acquire(false);
        run.holding = got === true ? true : await got;
      },
    });
  }

  private async runNode(i: number) {
    const { shared, opts } = this;
    const node = this.frontier.nodes[i]!;
    const module = this.modules[i];
    const run: NodeRun = {
      i,
      node,
      key: this.key(node.id),
      input: undefined,
      startedAt: "",
      holding: false,
      lastPartial: Number.NEGATIVE_INFINITY,
      saved: Promise.resolve(),
      lastProgress: Number.NEGATIVE_INFINITY,
    };
    try {
      const got = opts.slots.acquire(true);
      run.holding = got === true ? true : await got;
      if (!run.holding) return;
      if (!opts.mayStart()) return;
      const { scope, bySource } = this.inputsOf(i);
      const startMs = shared.clock.now();
      run.input = scope.input;
      run.startedAt = new Date(startMs).toISOString();
      const result = await runAttempts(this.host, run, {
        node,
        key: run.key,
        input: scope.input,
        inputsBySource: bySource,
        scope,
        body: module?.holdsBody ? this.bodyRunner(run, scope) : undefined,
      });
      const { cp, live } = finishNode(
        node,
        result,
        { input: scope.input, startedAt: run.startedAt, startMs, endMs: shared.clock.now() },
        module?.routesByHandle === true,
      );
      cp.nodeId = run.key;
      if (cp.status === "waiting") {
        await this.suspend(run, cp);
        return;
      }
      const { saved, safe: stored } = this.checkpoint(run, cp);
      if (module?.sideEffects !== false) await saved;
      if (opts.path && cp.status === "succeeded") shared.known.set(run.key, stored);
      const event = this.nodeEvent(node.id, cp.status, cp.attempts, shared.at());
      if (cp.durationMs !== undefined) event.durationMs = cp.durationMs;
      if (stored.output !== undefined) event.output = stored.output;
      if (stored.error) event.error = stored.error;
      if (cp.cached) event.cached = true;
      if (run.progress) event.progress = run.progress;
      shared.events.push(event, saved);
      if (run.holding) {
        opts.slots.release();
        run.holding = false;
      }
      if (cp.status === "succeeded" || cp.status === "failed") this.settleEffects(i, stored);
      if (live !== undefined) this.frontier.settle(i, live, this.frontierHost);
      else if (cp.status === "failed") opts.onFailed(node, stored.error!);
    } catch (err) {
      shared.fatal(err);
    } finally {
      if (run.holding) opts.slots.release();
      this.taskDone();
    }
  }

  /**
   * A node that suspended: its `waiting` checkpoint is durable before its event, it gives back its
   * slot, and it neither settles nor spreads. The scope ends with it counted in `waiting`.
   */
  private async suspend(run: NodeRun, cp: NodeCheckpoint) {
    const { shared, opts } = this;
    const { saved } = this.checkpoint(run, cp);
    await saved;
    this.waiting++;
    const event = this.nodeEvent(run.node.id, "waiting", cp.attempts, shared.at());
    const info = cp.output as NodeEvent["waiting"];
    if (info) event.waiting = info;
    if (run.progress) event.progress = run.progress;
    shared.events.push(event, saved);
    if (run.holding) {
      opts.slots.release();
      run.holding = false;
    }
  }

  /** The body runner of a loop node: one child scope per item, under this scope's path. */
  private bodyRunner(run: NodeRun, scope: ExpressionScope): BodyRunner {
    const { shared } = this;
    const graph = bodyGraphOf(shared, run.node.id);
    // Body nodes read the outer nodes that settled before the loop started.
    const outer = { ...scope.nodes };
    const path = this.opts.path ?? [];
    return {
      run: (item, index, signal) => this.runItem(graph, outer, [...path, index], item, signal),
      progress: (progress) => {
        run.progress = progress;
        const now = shared.clock.now();
        if (
          progress.done < progress.total &&
          progress.done > 0 &&
          now - run.lastProgress < PARTIAL_INTERVAL_MS
        )
          return;
        run.lastProgress = now;
        const event = this.nodeEvent(run.node.id, "running", 0, new Date(now).toISOString());
        event.progress = progress;
        shared.events.push(event);
      },
    };
  }

  private async runItem(
    graph: BodyGraph,
    outer: Record<string, unknown>,
    path: number[],
    item: unknown,
    signal: AbortSignal,
  ): Promise<ItemOutcome> {
    const { shared } = this;
    const own = new AbortController();
    const itemSignal = AbortSignal.any([signal, own.signal]);
    let failure: (NodeError & { nodeId?: string }) | undefined;
    const nodes: Record<string, unknown> = Object.assign(Object.create(null), outer);
    const frontier = new Frontier(graph.body, graph.ids);
    const child = new ScopeRun(shared, frontier, {
      path,
      nodes,
      item: { value: item, index: path[path.length - 1]! },
      slots: createSlots(shared.maxConcurrency),
      signal: itemSignal,
      mayStart: () => failure === undefined && !itemSignal.aborted && shared.mayStart(),
      halted: () => failure !== undefined || itemSignal.aborted,
      onFailed: (node, error) => {
        if (failure) return;
        failure = { ...error, nodeId: node.id };
        own.abort(new RunAbort("cancel"));
      },
    });
    const entries: number[] = [];
    for (let i = 0; i < frontier.size; i++) if (!frontier.hasInputs(i)) entries.push(i);
    child.start(entries);
    await child.done;
    if (failure) return { status: "failed", error: failure };
    if (child.finished < frontier.size) return { status: child.waiting > 0 ? "waiting" : "stopped" };
    if (graph.sinks.length === 1) return { status: "succeeded", result: nodes[graph.sinks[0]!] ?? null };
    const result: Record<string, unknown> = {};
    for (const id of graph.sinks) result[id] = nodes[id] ?? null;
    return { status: "succeeded", result };
  }
}

const bodyGraphs = new WeakMap<RunShared, Map<string, BodyGraph>>();

/** A loop's body, prepared once per run. */
function bodyGraphOf(shared: RunShared, loopId: string): BodyGraph {
  let graphs = bodyGraphs.get(shared);
  if (!graphs) {
    graphs = new Map();
    bodyGraphs.set(shared, graphs);
  }
  let graph = graphs.get(loopId);
  if (!graph) {
    const body = shared.bodies.get(loopId) ?? { nodes: [], edges: [] };
    const ids = new Set(body.nodes.map((n) => n.id));
    const hasOut = new Set(body.edges.map((e) => e.source));
    graph = { body, ids, sinks: body.nodes.filter((n) => !hasOut.has(n.id)).map((n) => n.id) };
    graphs.set(loopId, graph);
  }
  return graph;
}
