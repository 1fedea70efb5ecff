import type { OnError, RetryPolicy } from "@/lib/workflow/schema";
import type { ExpressionScope } from "./expressions";
import type { Clock, EnginePorts, LogEvent, LoopProgress, NodeError } from "./ports";

/** The node an executor runs, with its config parsed as `C`. */
export interface ExecutorNode<C> {
  id: string;
  type: string;
  name?: string;
  config: C;
  retry?: RetryPolicy;
  timeoutMs?: number;
  onError?: OnError;
}

/** What an executor gets for one attempt of one node. */
export interface ExecutorContext<C = unknown> {
  node: ExecutorNode<C>;
  /** The node's journal key: its id, or `id#3.0` for an iteration of a loop body (per-item waits). */
  key: string;
  /** The upstream output (one live source) or an object keyed by source id (several). */
  input: unknown;
  /** Live inputs by source id, in incoming edge order (for `merge`). */
  inputsBySource: ReadonlyArray<readonly [string, unknown]>;
  scope: ExpressionScope;
  /** Aborted on timeout, cancel or a hard deadline; executors pass it on to their ports. */
  signal: AbortSignal;
  ports: EnginePorts;
  clock: Clock;
  attempt: number;
  /** This attempt's span (W3C `traceparent`) when tracing is on: pass it to LLM and HTTP calls. */
  readonly traceparent?: string;
  log(level: LogEvent["level"], message: string): void;
  /** Streams partial text (LLM); throttled by the engine. */
  partial(text: string): void;
  /** The body of a node whose type holds one (`holdsBody`: a loop); undefined otherwise. */
  body?: BodyRunner;
}

/** How one item's run of a body ended. */
export type ItemOutcome =
  | { status: "succeeded"; result: unknown }
  | { status: "failed"; error: NodeError & { nodeId?: string } }
  /** The item did not finish: the run is stopping (pause, hand-off) or the item was cancelled. */
  | { status: "stopped" }
  /** A node of the item is suspended (a `wait`): the item finishes when it is resumed. */
  | { status: "waiting" };

/**
 * What the engine gives a node that holds a body: a way to run the body once per item. Each item
 * is its own small DAG under the run's rules (skips, merges, retries, per-item checkpoints keyed
 * by the iteration path, so a resumed run restores finished items instead of running them).
 */
export interface BodyRunner {
  /** Runs the body for `item` at `index`; aborting `signal` cancels the item's running nodes. */
  run(item: unknown, index: number, signal: AbortSignal): Promise<ItemOutcome>;
  /** Reports progress; the engine emits it (throttled) on the node's events. */
  progress(progress: LoopProgress): void;
}

/** An executor's result: the node's output, whether it came from a cache, and the handle taken. */
export interface ExecutorResult {
  output: unknown;
  cached?: boolean;
  /** Source handle whose edges are live; default `out`. */
  handle?: string;
}

/** Runs one attempt of a node whose config is `C`; throws to fail the attempt. */
export type Executor<C = unknown> = (ctx: ExecutorContext<C>) => Promise<ExecutorResult>;
