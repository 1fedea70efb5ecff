import "server-only";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Database, Db } from "@/lib/db/client";
import { heartbeatExecution, heartbeatQuery } from "@/lib/queue/heartbeat-execution";
import { loggableError } from "@/lib/security/safe-error";
import { HEARTBEAT_WORKER_SOURCE } from "./heartbeat-worker-source";

export interface Heartbeat {
  /** Stops beating; resolves once a beat in flight has settled. */
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  id: string;
  fence: number;
  leaseMs: number;
  intervalMs?: number;
  onLost: () => void;
  onControl?: (control: "cancel" | "pause" | null) => void;
  /**
   * Heartbeat thread only: past this long without a sign of life from the main event loop, beats
   * stop, so a process stuck for good lets its leases lapse (default MAX_MAIN_LOOP_STALL_MS).
   */
  maxStallMs?: number;
}

/** How long the main event loop may be unresponsive before the heartbeat thread stops renewing. */
export const MAX_MAIN_LOOP_STALL_MS = 60_000;

const intervalOf = (options: HeartbeatOptions) =>
  options.intervalMs ?? Math.max(50, Math.min(1000, Math.floor(options.leaseMs / 3)));

/**
 * Extends a held lease every `intervalMs` (default min(1000, leaseMs / 3)) and hands each beat's
 * answer over: `onLost` once the fence moved on, `onControl` with the pending cancel or pause.
 * On Postgres the beats run on the heartbeat thread (one `worker_threads` worker per process and
 * database, with its own connection), so a main event loop blocked by user work still renews the
 * lease and no other runner re-claims the execution; the answers reach the runner when its loop is
 * free. On PGlite (embedded, single connection in this process) they run on the main loop.
 * Fencing is the same either way: one statement (`heartbeatStatement`) that requires the fence.
 */
export function startHeartbeat(database: Database, options: HeartbeatOptions): Heartbeat {
  if (database.kind === "postgres") return heartbeatThreadFor(database.url).start(database.db, options);
  return startLoopHeartbeat(database.db, options);
}

/** The in-loop heartbeat: a timer on the main event loop (PGlite, and the fallback). */
export function startLoopHeartbeat(db: Db, options: HeartbeatOptions): Heartbeat {
  const intervalMs = intervalOf(options);
  let beating: Promise<void> | undefined;
  let lost = false;
  const timer = setInterval(() => {
    if (beating || lost) return;
    beating = heartbeatExecution(db, { id: options.id, fence: options.fence, leaseMs: options.leaseMs })
      .then((beat) => {
        if (!beat.held) {
          lost = true;
          options.onLost();
        } else options.onControl?.(beat.control);
      })
      .catch((err) => console.error(`heartbeat of execution ${options.id} failed:`, loggableError(err)))
      .finally(() => {
        beating = undefined;
      });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await beating;
    },
  };
}

interface Entry {
  options: HeartbeatOptions;
  db: Db;
  /** Set when the thread died and this beat went on in the loop. */
  fallback?: Heartbeat;
  stopped?: () => void;
}

/** Idle time after which the heartbeat thread ends (a new run starts it again). */
const IDLE_MS = 10_000;
const TICK_MS = 250;

class HeartbeatThread {
  private worker: Worker | undefined;
  private readonly entries = new Map<string, Entry>();
  private next = 1;
  private tick: ReturnType<typeof setInterval> | undefined;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private lastError = 0;

  constructor(private readonly url: string) {}

  start(db: Db, options: HeartbeatOptions): Heartbeat {
    const key = `${options.id}#${options.fence}#${this.next++}`;
    const entry: Entry = { options, db };
    this.entries.set(key, entry);
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const worker = this.ensureWorker();
    if (worker) {
      const { text, params } = heartbeatQuery(options);
      worker.postMessage({
        type: "start",
        key,
        text,
        params,
        intervalMs: intervalOf(options),
        maxStallMs: options.maxStallMs ?? MAX_MAIN_LOOP_STALL_MS,
      });
    } else entry.fallback = startLoopHeartbeat(db, options);
    return { stop: () => this.stop(key) };
  }

  private async stop(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    if (entry.fallback) await entry.fallback.stop();
    else if (this.worker) {
      await new Promise<void>((resolve) => {
        entry.stopped = resolve;
        this.worker?.postMessage({ type: "stop", key });
      });
    }
    this.entries.delete(key);
    if (this.entries.size === 0) {
      if (this.tick) clearInterval(this.tick);
      this.tick = undefined;
      this.idle = setTimeout(() => this.end(), IDLE_MS);
      this.idle.unref();
    }
  }

  private ensureWorker(): Worker | undefined {
    if (!this.tick) {
      this.tick = setInterval(() => this.worker?.postMessage({ type: "tick" }), TICK_MS);
      this.tick.unref();
    }
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(HEARTBEAT_WORKER_SOURCE, {
        eval: true,
        workerData: { base: path.join(process.cwd(), "package.json"), url: this.url },
        resourceLimits: { maxOldGenerationSizeMb: 64 },
      });
      worker.unref();
      worker.on("message", (msg: { type: string; key: string; control?: unknown; message?: string }) =>
        this.onMessage(msg),
      );
      worker.on("error", (err) => {
        console.error("heartbeat thread failed; beating on the main loop:", loggableError(err));
      });
      worker.on("exit", () => this.onExit(worker));
      this.worker = worker;
      return worker;
    } catch (err) {
      console.error("could not start the heartbeat thread; beating on the main loop:", loggableError(err));
      return undefined;
    }
  }

  private onMessage(msg: { type: string; key: string; control?: unknown; message?: string }): void {
    const entry = this.entries.get(msg.key);
    if (!entry) return;
    if (msg.type === "stopped") entry.stopped?.();
    else if (entry.stopped || entry.fallback) return;
    else if (msg.type === "beat")
      entry.options.onControl?.((msg.control ?? null) as "cancel" | "pause" | null);
    else if (msg.type === "lost") entry.options.onLost();
    else if (msg.type === "error" && Date.now() - this.lastError > 5_000) {
      this.lastError = Date.now();
      console.error(`heartbeat of execution ${entry.options.id} failed: ${msg.message}`);
    }
  }

  /** The thread ended (crash, or `end`): beats still wanted go on in the loop. */
  private onExit(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const entry of this.entries.values()) {
      if (entry.stopped) entry.stopped();
      else if (!entry.fallback) entry.fallback = startLoopHeartbeat(entry.db, entry.options);
    }
  }

  private end(): void {
    this.idle = undefined;
    if (this.entries.size > 0 || !this.worker) return;
    const worker = this.worker;
    this.worker = undefined;
    void worker.terminate();
  }
}

const threads = globalThis as { __braidHeartbeatThreads?: Map<string, HeartbeatThread> };

function heartbeatThreadFor(url: string): HeartbeatThread {
  threads.__braidHeartbeatThreads ??= new Map();
  let thread = threads.__braidHeartbeatThreads.get(url);
  if (!thread) {
    thread = new HeartbeatThread(url);
    threads.__braidHeartbeatThreads.set(url, thread);
  }
  return thread;
}
