import { nodeModuleOf } from "@/lib/nodes/registry";
import type { WorkflowNode } from "@/lib/workflow/schema";
import { EngineError, NodeInterrupted, NodeSuspended, type SuspendInfo, toNodeError } from "./errors";
import type { BodyRunner, ExecutorContext, ExecutorResult } from "./executor";
import type { ExpressionScope } from "./expressions";
import { RunAbort } from "./node-step";
import type { AttemptSpan, Clock, EnginePorts, LogEvent, NodeError } from "./ports";

/** How a node's attempts ended: a result, a failure after the last attempt, or an abort from outside. */
export type AttemptsOutcome =
  | { status: "succeeded"; output: unknown; cached: boolean; handle: string; attempts: number }
  | { status: "failed"; error: NodeError; attempts: number }
  | { status: "aborted"; reason: unknown; attempts: number }
  /** The executor suspended the node (`NodeSuspended`): it waits for something outside the run. */
  | { status: "suspended"; info: SuspendInfo; attempts: number };

/** One node to run: what its executor reads. */
export interface AttemptJob {
  node: WorkflowNode;
  /** The node's journal key: its id, or `id#3.0` for an iteration of a loop body. */
  key: string;
  input: unknown;
  inputsBySource: ReadonlyArray<readonly [string, unknown]>;
  scope: ExpressionScope;
  /** The body runner of a node that holds one (a loop). */
  body?: BodyRunner;
}

/**
 * What runs the attempts of many nodes shares: ports, clock, the abort signal from outside
 * (cancel, failure elsewhere, hard deadline) and hooks that receive the caller's per-node `key`
 * (one host per run, so no closures are made per node).
 */
export interface AttemptHost<K> {
  ports: EnginePorts;
  clock: Clock;
  signal: AbortSignal;
  onAttemptStart(key: K, attempt: number): Promise<void>;
  /** Called before the backoff wait; `resume` after it (e.g. to give back and retake a slot). */
  onRetry?(key: K, failed: number, maxAttempts: number, delayMs: number, error: NodeError): void;
  resume?(key: K): Promise<void>;
  log(key: K, level: LogEvent["level"], message: string): void;
  partial(key: K, text: string): void;
}

/** The reason of a node that interrupted itself: it is checkpointed `pending`, like a hard deadline. */
const INTERRUPTED = new RunAbort("interrupt");

const DEFAULT_BACKOFF_MS = 1000;
const DEFAULT_BACKOFF_FACTOR = 2;

/** The delay before attempt `failed + 1`: `backoffMs * backoffFactor^(failed-1)`. */
export function backoffDelay(node: WorkflowNode, failed: number): number {
  const backoffMs = node.retry?.backoffMs ?? DEFAULT_BACKOFF_MS;
  const factor = node.retry?.backoffFactor ?? DEFAULT_BACKOFF_FACTOR;
  return Math.round(backoffMs * factor ** (failed - 1));
}

/** The per-attempt timeout: the node's `timeoutMs` and its type's own rule, the smaller wins. */
function attemptTimeout(node: WorkflowNode): number | undefined {
  const own = nodeModuleOf(node.type)?.attemptTimeoutMs?.(node.config as never);
  if (node.timeoutMs === undefined) return own;
  return own === undefined ? node.timeoutMs : Math.min(own, node.timeoutMs);
}

class AttemptContext<K> implements ExecutorContext {
  constructor(
    readonly host: AttemptHost<K>,
    readonly hostKey: K,
    readonly job: AttemptJob,
    readonly signal: AbortSignal,
    readonly attempt: number,
    readonly span: AttemptSpan | undefined,
  ) {}
  get traceparent() {
    return this.span?.traceparent;
  }
  get node() {
    return this.job.node as ExecutorContext["node"];
  }
  get input() {
    return this.job.input;
  }
  get inputsBySource() {
    return this.job.inputsBySource;
  }
  get scope() {
    return this.job.scope;
  }
  get body() {
    return this.job.body;
  }
  get key() {
    return this.job.key;
  }
  get ports() {
    return this.host.ports;
  }
  get clock() {
    return this.host.clock;
  }
  log(level: LogEvent["level"], message: string) {
    this.host.log(this.hostKey, level, message);
  }
  partial(text: string) {
    this.host.partial(this.hostKey, text);
  }
}

/**
 * Runs a node's executor under its retry policy. With a timeout (`timeoutMs`, or its type's
 * `attemptTimeoutMs`, e.g. an http node's `config.timeoutMs`) each attempt gets its own AbortSignal that fires on the timeout (a failure,
 * retried) or when the host's signal aborts (the node stops, not retried). Backoff waits on the
 * clock and so never blocks other nodes.
 */
export async function runAttempts<K>(
  host: AttemptHost<K>,
  key: K,
  job: AttemptJob,
): Promise<AttemptsOutcome> {
  const { node } = job;
  const { signal, clock } = host;
  const maxAttempts = node.retry?.maxAttempts ?? 1;
  const timeoutMs = attemptTimeout(node);
  const module = nodeModuleOf(node.type);
  if (!module)
    return {
      status: "failed",
      error: { code: "invalid_config", message: `unknown node type "${node.type}"` },
      attempts: 0,
    };
  const executor = module.execute as (ctx: ExecutorContext) => Promise<ExecutorResult>;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return { status: "aborted", reason: signal.reason, attempts: attempt - 1 };
    await host.onAttemptStart(key, attempt);
    let attemptSignal = signal;
    let timer: AbortController | undefined;
    let controller: AbortController | undefined;
    let onAbort: (() => void) | undefined;
    if (timeoutMs !== undefined) {
      const c = new AbortController();
      controller = c;
      onAbort = () => c.abort(signal.reason);
      signal.addEventListener("abort", onAbort);
      timer = new AbortController();
      clock.sleep(timeoutMs, timer.signal).then(
        () => c.abort(new EngineError("timeout", `attempt timed out after ${timeoutMs} ms`)),
        () => {},
      );
      attemptSignal = c.signal;
    }
    let error: NodeError;
    const span = host.ports.tracer?.startAttempt({ nodeId: node.id, type: node.type, attempt });
    try {
      const result = await untilAborted(
        executor(new AttemptContext(host, key, job, attemptSignal, attempt, span)),
        attemptSignal,
      );
      span?.end({ status: "succeeded", cached: result.cached ?? false });
      return {
        status: "succeeded",
        output: result.output,
        cached: result.cached ?? false,
        handle: result.handle ?? "out",
        attempts: attempt,
      };
    } catch (err) {
      if (signal.aborted) {
        span?.end({ status: "aborted" });
        return { status: "aborted", reason: signal.reason, attempts: attempt };
      }
      if (err instanceof NodeSuspended) {
        span?.end({ status: "succeeded" });
        return { status: "suspended", info: err.info, attempts: attempt };
      }
      if (err instanceof NodeInterrupted) {
        span?.end({ status: "aborted" });
        return { status: "aborted", reason: INTERRUPTED, attempts: attempt };
      }
      const reason = controller?.signal.aborted ? controller.signal.reason : undefined;
      error = toNodeError(reason instanceof EngineError ? reason : err);
      span?.end({ status: "failed", error });
    } finally {
      if (onAbort) signal.removeEventListener("abort", onAbort);
      timer?.abort();
    }
    if (attempt >= maxAttempts) return { status: "failed", error, attempts: attempt };
    const delayMs = backoffDelay(node, attempt);
    host.onRetry?.(key, attempt, maxAttempts, delayMs, error);
    try {
      await clock.sleep(delayMs, signal);
    } catch {
      await host.resume?.(key);
      return { status: "aborted", reason: signal.reason, attempts: attempt };
    }
    await host.resume?.(key);
  }
}

const abortWatchers = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `onAbort` when `signal` aborts; one real listener per signal, so watching is cheap. */
function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let set = abortWatchers.get(signal);
  if (!set) {
    const watchers = new Set<() => void>();
    set = watchers;
    abortWatchers.set(signal, watchers);
    signal.addEventListener(
      "abort",
      () => {
        for (const fn of watchers) fn();
        watchers.clear();
      },
      { once: true },
    );
  }
  set.add(onAbort);
  const watchers = set;
  return () => watchers.delete(onAbort);
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const unwatch = watchAbort(signal, () => reject(signal.reason));
    promise.then(
      (value) => {
        unwatch();
        resolve(value);
      },
      (err) => {
        unwatch();
        reject(err);
      },
    );
  });
}
