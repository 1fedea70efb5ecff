import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { retryOnConnectionError } from "@/lib/db/connection-errors";
import { nodeRuns } from "@/lib/db/schema";
import type { Journal, NodeCheckpoint, NodeError, NodeStatus } from "@/lib/engine/ports";
import { nodeModules } from "@/lib/nodes/registry";
import { saveNodeRuns } from "@/lib/queue/save-node-runs";
import { capOutputSize, DEFAULT_MAX_OUTPUT_BYTES } from "@/lib/security/limits";

/** Thrown by `save` once the execution's fence moved on: this runner lost its lease. */
export class FencedError extends Error {
  constructor(executionId: string) {
    super(`execution ${executionId} was claimed by another runner`);
    this.name = "FencedError";
  }
}

export interface PostgresJournalOptions {
  /** Applied to input, output and error before they are stored (secret redaction). */
  redact?: <T>(value: T) => T;
  /** Input, output and error over this many JSON bytes are stored as a truncation marker. */
  maxOutputBytes?: number;
  /** Called once when a save finds the fence changed. */
  onFenced?: () => void;
  /** The execution's first claim: it cannot have checkpoints yet, so `load` skips the query. */
  fresh?: boolean;
  /**
   * Checkpoints the engine need not wait for (see `mayDeferCheckpoint`): `save` resolves at once
   * and they go out with the next write. Default: only `running` ones.
   */
  deferrable?: (checkpoint: NodeCheckpoint) => boolean;
}

/**
 * Node types whose work has no effect outside the run (their modules declare `sideEffects:
 * false`): running one again gives the same result and touches nothing.
 */
export const PURE_NODE_TYPES: ReadonlySet<string> = new Set(
  nodeModules.filter((m) => !m.sideEffects).map((m) => m.type),
);

/**
 * The checkpoint rule: which checkpoints must be durable before the engine goes on.
 *
 * - A node's `running` checkpoint never needs to be: a node that was running when its runner died
 *   runs again on resume whatever was stored.
 * - `skipped` and `pending` (interrupted) checkpoints neither: a skipped node did nothing, and a
 *   pending one runs again.
 * - A pure node's result (`PURE_NODE_TYPES`: no side effect, same answer again) neither: when a
 *   crash loses it, the resumed run computes it again, which nobody can observe.
 * - Every other result, that of a node with side effects (http, llm, email, and later workflow,
 *   wait), is committed before `save` resolves, so nothing downstream starts before it is
 *   durable, and a resume never repeats the side effect of a node whose checkpoint it has.
 *
 * Deferred checkpoints still land before anything that depends on them is durable: every write
 * takes all pending checkpoints along (one statement), so when a side-effecting node's checkpoint
 * commits, the pure results it consumed commit with it or before it; and the runner stores an
 * event only after `sync()`, so a stored event never reports a checkpoint that could be lost.
 */
export function mayDeferCheckpoint(nodeType: string | undefined, checkpoint: NodeCheckpoint): boolean {
  if (checkpoint.status === "running" || checkpoint.status === "skipped" || checkpoint.status === "pending")
    return true;
  return nodeType !== undefined && PURE_NODE_TYPES.has(nodeType);
}

/** How long a deferred checkpoint waits for company before it is written on its own. */
const DEFER_MS = 20;

export interface PostgresJournal extends Journal {
  readonly fenced: boolean;
  /** Resolves once every checkpoint saved so far is stored (or rejects when fenced or failing). */
  sync(): Promise<void>;
  /**
   * Hands over the checkpoints not stored yet, once the write in flight (if any) is done: the
   * caller stores them with its own fenced statement (the runner's settle) and reports how that
   * went with `done`, which settles the saves waiting for them. The journal is left empty.
   */
  takePending(): Promise<{ checkpoints: NodeCheckpoint[]; done: (err?: unknown) => void }>;
}

/**
 * The engine's journal on `node_runs`, fenced: a checkpoint lands only while the execution's
 * fence is the one this runner claimed with.
 *
 * Group commit: saves issued while a write is in flight wait for it and then go out together in
 * one statement (the latest checkpoint per node). Each `save` still resolves only once its own
 * checkpoint is committed, so "checkpointed when it finishes" holds while a wide DAG pays one
 * round trip per wave instead of one per node.
 *
 * Deferred checkpoints (`deferrable`; by default a node's `running` one; the runner passes
 * `mayDeferCheckpoint`, the checkpoint rule) are not waited for: `save` resolves at once and the
 * checkpoint goes out with the next write (often replaced by a later checkpoint of the node before
 * then), after DEFER_MS at the latest, or on `sync()`. Losing one in a crash loses nothing (see
 * `mayDeferCheckpoint`). The runner calls `sync()` before it stores events, so a stored event never
 * runs ahead of the checkpoint it reports. Fencing is unchanged: every write, deferred or not, is
 * one fenced statement.
 */
export function createPostgresJournal(
  db: Db,
  executionId: string,
  fence: number,
  options: PostgresJournalOptions = {},
): PostgresJournal {
  const scrub = options.redact ?? (<T>(v: T) => v);
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const redact = <T>(value: T): T => capOutputSize(scrub(value), maxBytes) as T;
  let pending = new Map<string, NodeCheckpoint>();
  let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let writing = false;
  /** The batch being written, for `sync` when nothing else is pending. */
  let inFlight: Promise<void> | undefined;
  /** The running pump, for `takePending`. */
  let pumping: Promise<void> | undefined;
  let fenced = false;
  let lazy: ReturnType<typeof setTimeout> | undefined;
  const deferrable = options.deferrable ?? ((cp: NodeCheckpoint) => cp.status === "running");

  function markFenced() {
    if (fenced) return;
    fenced = true;
    options.onFenced?.();
  }

  async function pump(): Promise<void> {
    if (lazy) clearTimeout(lazy);
    lazy = undefined;
    writing = true;
    try {
      while (pending.size > 0) {
        const batch = [...pending.values()];
        const batchWaiters = waiters;
        pending = new Map();
        waiters = [];
        const write = (async () => {
          if (fenced) throw new FencedError(executionId);
          // A dropped connection is retried: the upsert is idempotent and fenced, so a retry after
          // the database comes back either lands or finds the fence moved on.
          const ok = await retryOnConnectionError(
            () => saveNodeRuns(db, { executionId, fence, checkpoints: batch }),
            { what: `checkpoints of execution ${executionId}` },
          );
          if (!ok) {
            markFenced();
            throw new FencedError(executionId);
          }
        })();
        inFlight = write;
        write.catch(() => {});
        try {
          await write;
          for (const w of batchWaiters) w.resolve();
        } catch (err) {
          for (const w of batchWaiters) w.reject(err);
        } finally {
          if (inFlight === write) inFlight = undefined;
        }
      }
    } finally {
      writing = false;
    }
  }

  function startPump(): void {
    const run = pump();
    pumping = run;
    void run.finally(() => {
      if (pumping === run) pumping = undefined;
    });
  }

  return {
    get fenced() {
      return fenced;
    },
    async load() {
      if (options.fresh) return {};
      const rows = await retryOnConnectionError(() =>
        db.select().from(nodeRuns).where(eq(nodeRuns.executionId, executionId)),
      );
      const out: Record<string, NodeCheckpoint> = {};
      for (const r of rows) {
        const cp: NodeCheckpoint = { nodeId: r.nodeId, status: r.status as NodeStatus, attempts: r.attempts };
        if (r.input !== null) cp.input = r.input;
        if (r.output !== null) cp.output = r.output;
        if (r.error) cp.error = r.error as NodeError;
        if (r.startedAt) cp.startedAt = r.startedAt.toISOString();
        if (r.finishedAt) cp.finishedAt = r.finishedAt.toISOString();
        if (r.durationMs !== null) cp.durationMs = r.durationMs;
        if (r.cached) cp.cached = true;
        if (r.handle !== null) cp.handle = r.handle;
        out[r.nodeId] = cp;
      }
      return out;
    },
    save(checkpoint) {
      if (fenced) return Promise.reject(new FencedError(executionId));
      const stored: NodeCheckpoint = { ...checkpoint };
      if (stored.input !== undefined) stored.input = redact(stored.input);
      if (stored.output !== undefined) stored.output = redact(stored.output);
      if (stored.error !== undefined) stored.error = redact(stored.error);
      pending.set(checkpoint.nodeId, stored);
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      if (deferrable(checkpoint)) {
        // Resolved now; the write (and its failure, if any) is reported by the next save or sync.
        done.catch(() => {});
        if (!writing && !lazy && checkpoint.status !== "running") {
          lazy = setTimeout(() => {
            lazy = undefined;
            if (!writing && pending.size > 0) startPump();
          }, DEFER_MS);
        }
        return Promise.resolve();
      }
      if (!writing) startPump();
      return done;
    },
    sync() {
      if (fenced) return Promise.reject(new FencedError(executionId));
      if (pending.size === 0) return inFlight ?? Promise.resolve();
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      if (!writing) startPump();
      return done;
    },
    async takePending() {
      if (lazy) clearTimeout(lazy);
      lazy = undefined;
      while (pumping) await pumping;
      if (fenced) throw new FencedError(executionId);
      const checkpoints = [...pending.values()];
      const taken = waiters;
      pending = new Map();
      waiters = [];
      return {
        checkpoints,
        done(err?: unknown) {
          for (const w of taken) {
            if (err === undefined) w.resolve();
            else w.reject(err);
          }
        },
      };
    },
  };
}
