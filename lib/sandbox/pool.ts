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
  /** Its cell in the shared claim array while it is dispatched to a worker. */
  claim?: number;
}

interface Slot {
  worker: Worker;
  /** Dispatched to this worker, in the order it runs them: `jobs[0]` is running (or next). */
  jobs: Job[];
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
  /**
   * Tasks handed to one worker at a time: with 2, a busy worker already holds its next task and
   * never waits for this thread between two. Default 2 for code pools, 1 otherwise.
   */
  depth?: number;
}

/** Claim cells: a cell is reused only this many dispatches later, long after its worker is gone. */
const CLAIM_CELLS = 1 << 16;
/** Cell states: 0 waiting, 1 started by its worker (the worker writes it), 2 withdrawn by the pool. */
const UNCLAIMED = 0;
const WITHDRAWN = 2;

/**
 * A warm pool of `worker_threads`, FIFO queue. Idle workers get tasks first; when all are busy a
 * worker may hold one more (`depth`), which it starts as soon as it answers the one before. A
 * worker takes a task by claiming its cell in a shared array (compare-and-swap), so the pool can
 * withdraw a task that has not started (to give it to a worker that fell idle, or when its caller
 * aborts) without any risk of running it twice. A worker that passes a task's hard timeout, dies
 * or runs out of heap is terminated and replaced; its running task fails, its waiting ones go back
 * to the queue, and the main event loop never waits on it. Idle workers are unref'd so they never
 * keep a process alive.
 */
export class SandboxPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private nextClaim = 0;
  private closed = false;
  private readonly heapMb: number;
  private readonly warmCode: boolean;
  private readonly depth: number;
  private readonly claims = new Int32Array(new SharedArrayBuffer(CLAIM_CELLS * 4));
  /** Workers started, including replacements: tests and benches read it. */
  started = 0;

  constructor(options: SandboxPoolOptions = {}) {
    const size = Math.max(1, options.size ?? availableParallelism());
    this.heapMb = options.heapMb ?? 256;
    this.warmCode = options.warmCode ?? true;
    this.depth = Math.max(1, options.depth ?? (this.warmCode ? 2 : 1));
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        base: path.join(process.cwd(), "package.json"),
        warm: this.warmCode,
        claims: this.claims.buffer,
      },
      // QuickJS recursion runs on this thread's native stack: 16 MB leaves room for its 1 MB stack limit.
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 16 },
      stdout: false,
      stderr: false,
    });
    this.started++;
    const slot: Slot = { worker, jobs: [], recycle: false };
    worker.unref();
    worker.on(
      "message",
      (msg: {
        id?: number;
        claim?: number;
        ok?: boolean;
        skipped?: boolean;
        recycle?: boolean;
        result?: unknown;
        error?: PoolFailure;
      }) => {
        if (msg.recycle) {
          slot.recycle = true;
          return;
        }
        // A task withdrawn from this worker is skipped there; its answer (and any other stale one)
        // matches no job, as a withdrawn task is sent again under a new claim.
        if (msg.skipped) return;
        const index = slot.jobs.findIndex((j) => j.id === msg.id && j.claim === msg.claim);
        if (index === -1) return;
        const [job] = slot.jobs.splice(index, 1) as [Job];
        this.settle(job);
        if (msg.ok) job.resolve(msg.result);
        else job.reject(new PoolTaskError(msg.error ?? { kind: "runtime", message: "unknown failure" }));
        if (slot.recycle) this.replace(slot);
        else this.armHead(slot);
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

  /** The slot's first task is (about to be) running: its hard timeout starts now. */
  private armHead(slot: Slot): void {
    const head = slot.jobs[0];
    if (!head) {
      slot.worker.unref();
      return;
    }
    if (head.timer) return;
    head.timer = setTimeout(() => {
      if (slot.jobs[0] === head) this.fail(slot, head.run.onHardTimeout);
    }, head.run.hardTimeoutMs);
  }

  /** Stops a job's timer and abort listener: it is answered, failed or back in the queue. */
  private settle(job: Job): void {
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    job.claim = undefined;
  }

  private forget(job: Job): void {
    this.settle(job);
    if (job.onAbort) job.run.signal?.removeEventListener("abort", job.onAbort);
  }

  /** Takes a dispatched task back if its worker has not started it; false if it has. */
  private withdraw(job: Job): boolean {
    if (job.claim === undefined) return true;
    return Atomics.compareExchange(this.claims, job.claim, UNCLAIMED, WITHDRAWN) === UNCLAIMED;
  }

  /** Fails the slot's running job (if any), requeues its waiting ones and replaces the worker. */
  private fail(slot: Slot, failure: PoolFailure): void {
    const job = slot.jobs.shift();
    if (job) this.forget(job);
    this.replace(slot);
    job?.reject(new PoolTaskError(failure));
    this.dispatch();
  }

  /** Terminates the slot's worker and starts another; tasks still waiting in it go back first in the queue. */
  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    const waiting = slot.jobs.splice(0);
    for (const job of waiting) {
      this.withdraw(job);
      this.settle(job);
    }
    this.queue.unshift(...waiting);
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
            this.forget(job);
            reject(abortFailure(signal));
            return;
          }
          const slot = this.slots.find((s) => s.jobs.includes(job));
          if (!slot) return;
          const at = slot.jobs.indexOf(job);
          slot.jobs.splice(at, 1);
          // Not started yet: the worker will skip it. Running: only terminating the worker stops it.
          const running = !this.withdraw(job);
          this.forget(job);
          if (running) this.replace(slot);
          else this.armHead(slot);
          reject(abortFailure(signal));
          this.dispatch();
        };
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  private send(slot: Slot, job: Job): void {
    const claim = this.nextClaim;
    this.nextClaim = (this.nextClaim + 1) % CLAIM_CELLS;
    Atomics.store(this.claims, claim, UNCLAIMED);
    job.claim = claim;
    slot.jobs.push(job);
    slot.worker.ref();
    this.armHead(slot);
    slot.worker.postMessage({ ...job.run.task, id: job.id, claim });
  }

  private dispatch(): void {
    // Idle workers first; then one more task behind each busy one, up to `depth`.
    for (let held = 0; held < this.depth; held++) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) break;
        if (slot.jobs.length === held) this.send(slot, this.queue.shift() as Job);
      }
    }
    if (this.queue.length === 0) this.rebalance();
  }

  /** A worker fell idle while another holds a task it has not started: move that task over. */
  private rebalance(): void {
    for (const idle of this.slots) {
      if (idle.jobs.length > 0) continue;
      const busy = this.slots.find((s) => s.jobs.length > 1);
      if (!busy) return;
      const job = busy.jobs[busy.jobs.length - 1] as Job;
      if (!this.withdraw(job)) continue;
      busy.jobs.pop();
      this.settle(job);
      this.send(idle, job);
    }
  }

  /** Stops every worker; queued and running tasks fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      this.forget(job);
      job.reject(new PoolTaskError({ kind: "runtime", message: "the sandbox pool closed" }));
    }
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (slot) => {
        const jobs = slot.jobs.splice(0);
        slot.worker.removeAllListeners("exit");
        for (const job of jobs) {
          this.forget(job);
          job.reject(new PoolTaskError({ kind: "runtime", message: "the sandbox pool closed" }));
        }
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
  expressions ??= new SandboxPool({ warmCode: false, heapMb: 256, depth: 1 });
  return expressions;
}
