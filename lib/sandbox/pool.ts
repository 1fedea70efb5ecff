import "server-only";
import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { WORKER_SOURCE } from "./worker-source";

/** What a worker answers for a failed task (plain data, it crossed a thread). */
export interface PoolFailure {
  kind: "syntax" | "runtime" | "timeout" | "memory" | "stack" | "result" | "aborted";
  message: string;
  line?: number;
  column?: number;
  position?: number;
  logs?: Array<{ level: "info" | "warn" | "error" | "debug"; message: string }>;
  logsTruncated?: boolean;
}

/** A failure raised by the pool itself or answered by a worker. */
export class PoolTaskError extends Error {
  readonly failure: PoolFailure;
  constructor(failure: PoolFailure) {
    super(failure.message);
    this.name = "PoolTaskError";
    this.failure = failure;
  }
}

/** One task: its message for the worker, and when the pool stops waiting and kills the worker. */
export interface PoolRun {
  task: Record<string, unknown> & { kind: "code" | "jsonata" };
  /** Past this the worker is deemed stuck: it is terminated and replaced. */
  hardTimeoutMs: number;
  /** The failure reported when the hard timeout fires. */
  onHardTimeout: PoolFailure;
  signal?: AbortSignal;
}

interface Job {
  id: number;
  run: PoolRun;
  resolve: (value: unknown) => void;
  reject: (err: PoolTaskError) => void;
  timer?: ReturnType<typeof setTimeout>;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  recycle: boolean;
}

/** Sizes and limits of a pool. */
export interface SandboxPoolOptions {
  /** Worker threads; defaults to the number of cores. */
  size?: number;
  /** V8 heap of each worker (JSONata tasks); QuickJS memory is WASM memory, limited per task. */
  heapMb?: number;
  /** Load QuickJS in each worker at start (code pools); JSONata loads on first use. */
  warmCode?: boolean;
}

/**
 * A warm pool of `worker_threads`, one task at a time per worker, FIFO queue. A worker that
 * passes a task's hard timeout, dies or runs out of heap is terminated and replaced; the task
 * fails and the main event loop never waits on it. Idle workers are unref'd so they never keep
 * a process alive.
 */
export class SandboxPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly heapMb: number;
  private readonly warmCode: boolean;
  /** Workers started, including replacements: tests and benches read it. */
  started = 0;

  constructor(options: SandboxPoolOptions = {}) {
    const size = Math.max(1, options.size ?? availableParallelism());
    this.heapMb = options.heapMb ?? 256;
    this.warmCode = options.warmCode ?? true;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { base: path.join(process.cwd(), "package.json"), warm: this.warmCode },
      // QuickJS recursion runs on this thread's native stack: 16 MB leaves room for its 1 MB stack limit.
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 16 },
      stdout: false,
      stderr: false,
    });
    this.started++;
    const slot: Slot = { worker, recycle: false };
    worker.unref();
    worker.on(
      "message",
      (msg: { id?: number; ok?: boolean; recycle?: boolean; result?: unknown; error?: PoolFailure }) => {
        if (msg.recycle) {
          slot.recycle = true;
          return;
        }
        const job = slot.job;
        if (!job || job.id !== msg.id) return;
        this.finish(slot);
        if (msg.ok) job.resolve(msg.result);
        else job.reject(new PoolTaskError(msg.error ?? { kind: "runtime", message: "unknown failure" }));
        if (slot.recycle) this.replace(slot);
        this.dispatch();
      },
    );
    worker.on("error", (err: Error & { code?: string }) => {
      const outOfMemory = err.code === "ERR_WORKER_OUT_OF_MEMORY";
      this.fail(slot, {
        kind: outOfMemory ? "memory" : "runtime",
        message: outOfMemory
          ? `the evaluation ran out of memory (${this.heapMb} MB) and was stopped`
          : `the sandbox worker failed: ${err.message}`,
      });
    });
    worker.on("exit", () => {
      if (this.slots.includes(slot) && slot.worker === worker) {
        this.fail(slot, { kind: "runtime", message: "the sandbox worker exited" });
      }
    });
    return slot;
  }

  private finish(slot: Slot): void {
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    slot.worker.unref();
    if (job.timer) clearTimeout(job.timer);
    if (job.onAbort) job.run.signal?.removeEventListener("abort", job.onAbort);
  }

  /** Fails the slot's running job (if any) and replaces the worker. */
  private fail(slot: Slot, failure: PoolFailure): void {
    const job = slot.job;
    this.finish(slot);
    this.replace(slot);
    job?.reject(new PoolTaskError(failure));
    this.dispatch();
  }

  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    const old = slot.worker;
    old.removeAllListeners("exit");
    void old.terminate();
    if (this.closed) {
      this.slots.splice(index, 1);
      return;
    }
    this.slots[index] = this.spawn();
  }

  /** Runs one task on the next free worker; resolves with the worker's result. */
  run(run: PoolRun): Promise<unknown> {
    if (this.closed)
      return Promise.reject(new PoolTaskError({ kind: "runtime", message: "the sandbox pool is closed" }));
    if (run.signal?.aborted) return Promise.reject(abortFailure(run.signal));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, run, resolve, reject };
      if (run.signal) {
        const signal = run.signal;
        job.onAbort = () => {
          const queued = this.queue.indexOf(job);
          if (queued !== -1) {
            this.queue.splice(queued, 1);
            signal.removeEventListener("abort", job.onAbort as () => void);
            reject(abortFailure(signal));
            return;
          }
          const slot = this.slots.find((s) => s.job === job);
          if (slot) {
            this.finish(slot);
            this.replace(slot);
            reject(abortFailure(signal));
            this.dispatch();
          }
        };
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.worker.ref();
      job.timer = setTimeout(() => {
        if (slot.job === job) this.fail(slot, job.run.onHardTimeout);
      }, job.run.hardTimeoutMs);
      slot.worker.postMessage({ ...job.run.task, id: job.id });
    }
  }

  /** Stops every worker; queued and running tasks fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      job.reject(new PoolTaskError({ kind: "runtime", message: "the sandbox pool closed" }));
    }
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (slot) => {
        const job = slot.job;
        this.finish(slot);
        slot.worker.removeAllListeners("exit");
        job?.reject(new PoolTaskError({ kind: "runtime", message: "the sandbox pool closed" }));
        await slot.worker.terminate();
      }),
    );
  }
}

function abortFailure(signal: AbortSignal): PoolTaskError {
  const reason = signal.reason instanceof Error ? signal.reason.message : "the task was aborted";
  return new PoolTaskError({ kind: "aborted", message: reason });
}

let shared: SandboxPool | undefined;
let expressions: SandboxPool | undefined;

/** The process-wide pool for user code, started (and warmed) on first use, sized to the cores. */
export function getSandboxPool(): SandboxPool {
  shared ??= new SandboxPool();
  return shared;
}

/**
 * The process-wide pool for expressions that need isolation: a separate one, so that code nodes
 * running to a 30 s timeout never make an expression wait.
 */
export function getExpressionPool(): SandboxPool {
  expressions ??= new SandboxPool({ warmCode: false, heapMb: 256 });
  return expressions;
}
