import type { OnError, RetryPolicy } from "@/lib/workflow/schema";
import type { ExpressionScope } from "./expressions";
import type { Clock, EnginePorts, LogEvent } from "./ports";

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
  log(level: LogEvent["level"], message: string): void;
  /** Streams partial text (LLM); throttled by the engine. */
  partial(text: string): void;
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
