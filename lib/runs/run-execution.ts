import "server-only";
import { isFinishedNode, isTerminal } from "@/lib/contract/status";
import type { Database } from "@/lib/db/client";
import { retryOnConnectionError } from "@/lib/db/connection-errors";
import type { EngineEvent, EventSink, ExecutionEvent, NodeCheckpoint, NodeError } from "@/lib/engine/ports";
import { type RunOutcome, runWorkflow } from "@/lib/engine/run-workflow";
import { encodeEvent } from "@/lib/events/store";
import { nodeModuleOf } from "@/lib/nodes/registry";
import { cancelExecution } from "@/lib/queue/cancel-execution";
import type { ClaimedExecution } from "@/lib/queue/claim-executions";
import { type Settlement, settleExecution } from "@/lib/queue/settle-execution";
import { capCheckpoints, capRunOutputs } from "@/lib/security/limits";
import { safeErrorMessage } from "@/lib/security/safe-error";
import { recordClaim, recordFinish } from "@/lib/telemetry/metrics";
import { parseIterationKey } from "@/lib/workflow/bodies";
import { controlChildren, createChildPort, resolveChildWaits } from "./children";
import { createExecutionPorts, type ExecutionPorts } from "./create-ports";
import { createDeferredSettles, type DeferredSettles } from "./deferred-settles";
import { startHeartbeat } from "./heartbeat";
import { FencedError, mayDeferCheckpoint } from "./postgres-journal";
import { traceClaim } from "./trace-claim";
import { createWaitPort, endWaits, requeueResumed } from "./waits";

export interface RunExecutionOptions {
  leaseMs: number;
  /** Epoch ms after which no new node starts: the run is handed back to the queue. */
  deadline?: number;
  /** Epoch ms at which running nodes are interrupted (they rerun on resume) and the run handed back. */
  hardDeadline?: number;
  /** Marks a hand-off as an immediate run that outgrew its request. */
  immediate?: boolean;
  /**
   * Asks the run to yield: it stops at the next node boundary and goes back to the queue with its
   * checkpoints (drain budget over, worker shutting down).
   */
  stopSignal?: AbortSignal;
  /** A child run inline by its parent's runner, which takes its result itself (no parent to wake). */
  inlineChild?: boolean;
  /** An inline child's successful settle is handed here, to go out with its parent's. */
  deferSettle?: DeferredSettles;
  /** How often the lease is extended and controls are read (default min(1000, leaseMs / 3)). */
  heartbeatMs?: number;
}

/** How a runner left an execution. `lost`: another runner holds it now, nothing was written. */
export interface RunExecutionResult {
  status: "succeeded" | "failed" | "cancelled" | "paused" | "waiting" | "queued" | "lost";
  outputs?: Record<string, unknown>;
  error?: NodeError & { nodeId?: string };
  nodes?: Record<string, NodeCheckpoint>;
  handedOff?: boolean;
}

/** How long engine events wait to be written together. */
const EVENT_BURST_MS = 50;

const INTERRUPTED: NodeError = {
  message: "the runner stopped before this single-node run finished",
  code: "interrupted",
};

/**
 * Runs a claimed execution to its end, its pause or its deadline.
 *
 * While it runs, a heartbeat extends the lease every second (at most) and reads `control`: a
 * requested cancel aborts the engine's `signal`, a pause its `pauseSignal` (it stops at node
 * boundaries). When the heartbeat, a checkpoint or an event write finds the fence moved on, the
 * runner aborts at once and writes nothing more: the execution belongs to someone else.
 *
 * The final status is written (fenced) in the same statement that stores the engine's final
 * `execution` event, the events not yet stored and the checkpoints not yet written (the deferred
 * ones of pure nodes), so a client that sees the event and then reads the execution sees the
 * same status and nodes. Settles of runs that end close together share one statement and one
 * commit (`settleExecution`'s group commit).
 */
export async function runExecution(
  database: Database,
  claim: ClaimedExecution,
  options: RunExecutionOptions,
): Promise<RunExecutionResult> {
  if (claim.nodeId) {
    // A single-node run whose request died: its input is gone, so it cannot be resumed.
    return runClaimed(database, claim, options, async ({ ports }) => {
      const checkpoint: NodeCheckpoint = {
        nodeId: claim.nodeId!,
        status: "failed",
        attempts: 0,
        error: INTERRUPTED,
      };
      await ports.journal.save(checkpoint);
      return {
        status: "failed",
        outputs: {},
        error: { ...INTERRUPTED, nodeId: claim.nodeId! },
        nodes: { [checkpoint.nodeId]: checkpoint },
      };
    });
  }
  // A per-execution timeout (the run request's `timeoutMs`) overrides the workflow's setting.
  const definition = claim.timeoutMs
    ? { ...claim.definition, settings: { ...claim.definition.settings, timeoutMs: claim.timeoutMs } }
    : claim.definition;
  return runClaimed(database, claim, options, ({ ports, signal, pauseSignal }) =>
    runWorkflow({
      definition,
      inputs: claim.inputs,
      triggerId: claim.triggerId ?? undefined,
      ports,
      signal,
      pauseSignal,
      deadline: options.deadline,
      hardDeadline: options.hardDeadline,
      secrets: ports.secrets,
      elapsedMs: claim.runMs,
    }),
  );
}

/** What the body of a claimed run gets from its lifecycle. */
export interface ClaimedRunContext {
  /** The execution's ports; `events` buffers for the lifecycle (the final event lands with the status). */
  ports: ExecutionPorts;
  /** Aborted on cancel and when the lease is lost. */
  signal: AbortSignal;
  /** Aborted on pause and when the runner yields. */
  pauseSignal: AbortSignal;
}

/**
 * The one runner lifecycle of a claimed execution, whole workflow or single node: fenced ports,
 * heartbeat (lease, controls), lease loss aborting the body, event bursts that follow their
 * checkpoints, and the settle that stores the final status together with the last events and
 * checkpoints in one commit, then announces them. `body` runs the work and reports its outcome.
 */
export async function runClaimed(
  database: Database,
  claim: ClaimedExecution,
  options: RunExecutionOptions,
  body: (context: ClaimedRunContext) => Promise<RunOutcome>,
): Promise<RunExecutionResult> {
  const { db } = database;
  const cancel = new AbortController();
  const pause = new AbortController();
  let lost = false;
  const loseLease = () => {
    if (lost) return;
    lost = true;
    cancel.abort(new FencedError(claim.id));
  };
  let finalEvent: ExecutionEvent | undefined;
  // A first claim (claims = 1) has no checkpoints to resume from; later ones (crash, hand-off,
  // pause, retry) load them.
  const typeOf = new Map(claim.definition.nodes.map((n) => [n.id, n.type as string]));
  const ports = await retryOnConnectionError(
    () =>
      createExecutionPorts(database, claim.id, claim.fence, {
        onFenced: loseLease,
        fresh: claim.claims === 1,
        // The checkpoint rule: only side-effecting results are awaited (see mayDeferCheckpoint).
        deferrable: (cp) => mayDeferCheckpoint(typeOf.get(parseIterationKey(cp.nodeId).nodeId), cp),
      }),
    { what: `ports of execution ${claim.id}` },
  );
  // Nodes that suspend (waits, sub-workflows) record their waits in the store.
  recordClaim(claim);
  // Tracing on: this claim's span continues the execution's stored trace (see lib/telemetry/otel.ts).
  const trace = await traceClaim(database.db, claim, ports);
  let waitPort: Awaited<ReturnType<typeof createWaitPort>> | undefined;
  // The settles of children run inline here, written with this run's own settle. An inline child
  // passes its own children's up to the runner above it, so a whole inline tree is written with
  // the top run's settle.
  let childSettles: DeferredSettles | undefined;
  if (suspends(claim.definition)) {
    const settles = options.deferSettle ?? createDeferredSettles(database);
    childSettles = settles;
    // A single-node run cannot suspend: it runs its child inline to the end instead.
    const single = claim.nodeId !== null;
    if (!single) {
      waitPort = await createWaitPort(db, claim, ports.redact, { fresh: claim.claims === 1 });
      ports.waits = waitPort;
    }
    const traceContext = trace?.traceparent ?? claim.traceContext ?? null;
    ports.children = createChildPort(
      database,
      { ...claim, traceContext },
      {
        fresh: claim.claims === 1,
        // An immediate run may run a small child inline; a drained one queues it and suspends.
        inline: single ? "always" : options.immediate ? "small" : "never",
        deadline: options.deadline,
        leaseMs: options.leaseMs,
        runInline: (child) =>
          runExecution(database, child, {
            leaseMs: options.leaseMs,
            deadline: options.deadline,
            hardDeadline: options.hardDeadline,
            immediate: true,
            inlineChild: true,
            deferSettle: settles,
          }),
      },
    );
  }
  // Events are passed on in bursts every EVENT_BURST_MS, each after the checkpoints saved before
  // it (the journal does not wait for `running` checkpoints); the last burst is stored with the
  // final status. Every write is a commit, and commits are what a busy queue runs out of.
  const buffered: EngineEvent[] = [];
  let burstTimer: ReturnType<typeof setTimeout> | undefined;
  let bursts: Promise<void> = Promise.resolve();
  const flushBurst = () => {
    if (burstTimer) clearTimeout(burstTimer);
    burstTimer = undefined;
    const burst = buffered.splice(0);
    if (burst.length === 0) return;
    const pass = () => {
      if (!ports.journal.fenced) for (const event of burst) ports.events.emit(event);
    };
    bursts = bursts.then(() => ports.journal.sync().then(pass, pass));
  };
  const holdFinal: EventSink = {
    emit(event: EngineEvent) {
      if (event.type === "execution" && event.status !== "running") {
        finalEvent = event;
        return;
      }
      buffered.push(event);
      burstTimer ??= setTimeout(flushBurst, EVENT_BURST_MS);
    },
  };
  let pauseRequested = false;
  let yielding = false;
  const applyControl = (control: string | null) => {
    if (control === "cancel" && !cancel.signal.aborted) cancel.abort(new Error("cancelled by request"));
    if (control === "pause") {
      pauseRequested = true;
      if (!pause.signal.aborted) pause.abort(new Error("paused by request"));
    }
  };
  const onStop = () => {
    yielding = true;
    if (!pause.signal.aborted) pause.abort(new Error("the runner is yielding"));
  };
  if (options.stopSignal?.aborted) onStop();
  else options.stopSignal?.addEventListener("abort", onStop, { once: true });
  applyControl(claim.control);

  const heartbeat = startHeartbeat(database, {
    id: claim.id,
    fence: claim.fence,
    leaseMs: options.leaseMs,
    intervalMs: options.heartbeatMs,
    onLost: loseLease,
    onControl: applyControl,
  });

  let outcome: RunOutcome;
  try {
    outcome = await body({
      ports: { ...ports, events: holdFinal },
      signal: cancel.signal,
      pauseSignal: pause.signal,
    });
  } catch (err) {
    outcome = {
      status: "failed",
      outputs: {},
      error: { message: safeErrorMessage(err), code: "engine" },
      nodes: {},
    };
  } finally {
    options.stopSignal?.removeEventListener("abort", onStop);
    await heartbeat.stop();
  }
  trace?.end(outcome.status, outcome.error ? ports.redact(outcome.error) : undefined);
  if (burstTimer) clearTimeout(burstTimer);
  burstTimer = undefined;
  const lostNow = () => lost || ports.journal.fenced || ports.writer.fenced;
  if (lostNow()) return { status: "lost" };
  // Earlier bursts and checkpoints first, so the last events follow them in seq order. The
  // checkpoints not written yet are stored by the settle itself (same statement, same commit).
  await bursts;
  const pending = await ports.journal.takePending().catch(() => undefined);
  await ports.writer.flush();
  if (lostNow() || !pending) {
    pending?.done(new FencedError(claim.id));
    return { status: "lost" };
  }
  const error = outcome.error ? ports.redact(outcome.error) : undefined;
  // Capped like stored node outputs, so the immediate answer is no bigger than what is stored.
  const outputs = capRunOutputs(ports.redact(outcome.outputs));
  const nodes = capCheckpoints(ports.redact(outcome.nodes));
  let result: RunExecutionResult;
  let to: Parameters<typeof settleExecution>[1]["to"];
  switch (outcome.status) {
    case "succeeded":
    case "failed":
    case "cancelled":
      to = outcome.status;
      result = { status: outcome.status, outputs, error, nodes };
      break;
    case "waiting":
      to = "waiting";
      result = { status: "waiting", nodes };
      break;
    case "paused":
      if (yielding && !pauseRequested) {
        to = "queued";
        result = { status: "queued", nodes };
        finalEvent = undefined;
        break;
      }
      to = "paused";
      result = { status: "paused", nodes };
      break;
    default:
      to = "queued";
      result = { status: "queued", handedOff: true, nodes };
  }
  const last: ExecutionEvent = finalEvent ?? {
    type: "execution",
    status: result.status as ExecutionEvent["status"],
    at: new Date().toISOString(),
    progress: progressOf(outcome.nodes),
  };
  if (!finalEvent) {
    if (result.outputs) last.outputs = result.outputs;
    if (result.error) last.error = result.error;
    if (result.handedOff) last.handedOff = true;
  }
  const items: string[] = [];
  for (const event of [...buffered.splice(0), last]) {
    try {
      items.push(encodeEvent(ports.prepareEvent(event)));
    } catch (err) {
      console.error(`events: could not encode a ${event.type} event of execution ${claim.id}:`, err);
    }
  }
  // Retried while the database is unreachable: the settle is fenced and requires `running`, so a
  // repeat after a commit whose answer was lost changes nothing (and reports `lost`).
  const settle = (settlement: Settlement) =>
    retryOnConnectionError(() => settleExecution(db, settlement), { what: `settling execution ${claim.id}` });
  const settlement: Settlement = {
    id: claim.id,
    fence: claim.fence,
    to,
    outputs,
    error,
    handedOff: to === "queued" && result.handedOff === true && (options.immediate ?? false),
    events: items,
    checkpoints: pending.checkpoints,
  };
  if (options.deferSettle && to === "succeeded" && !waitPort?.registered) {
    // A child that succeeded inline: its settle goes out with its parent's (`DeferredSettles`).
    options.deferSettle.add(settlement, pending.done);
    recordFinish(to, claim.mode);
    return result;
  }
  let lastSeq: number | undefined;
  try {
    // Children run inline here are settled in the same statement (issued in the same turn).
    childSettles?.flush();
    lastSeq = await settle(settlement);
    pending.done();
  } catch (err) {
    pending.done(err);
    if (pending.checkpoints.length === 0) throw err;
    // The last checkpoints could not be stored (not a lost connection: those are retried): the
    // run fails, recorded without them.
    // The database's own words, not the driver's wrapper (which quotes the whole statement).
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    const journalError: NodeError = {
      code: "journal",
      message: `could not record the execution: ${cause instanceof Error ? cause.message : String(cause)}`,
    };
    result = { status: "failed", outputs: {}, error: journalError, nodes };
    const failed: ExecutionEvent = {
      type: "execution",
      status: "failed",
      at: new Date().toISOString(),
      progress: progressOf(outcome.nodes),
      error: journalError,
    };
    lastSeq = await settle({
      id: claim.id,
      fence: claim.fence,
      to: "failed",
      outputs: {},
      error: journalError,
      events: [encodeEvent(ports.prepareEvent(failed))],
    });
  }
  await childSettles?.written();
  if (lastSeq === undefined) return { status: "lost" };
  if (to === "waiting") {
    // A wait resumed while this runner still held the execution: queue it again now.
    await retryOnConnectionError(() => requeueResumed(database, [claim.id]), {
      what: `requeueing ${claim.id}`,
    });
  } else if (isTerminal(to) && waitPort) {
    // A first claim that registered no wait has none to end (an inline child, say).
    if (claim.claims > 1 || waitPort.registered)
      await retryOnConnectionError(() => endWaits(db, claim.id, to), {
        what: `ending the waits of ${claim.id}`,
      });
    // A parent that ended (failed, cancelled) takes its children still running with it.
    if (to !== "succeeded") await controlChildren(database, claim.id, (id) => cancelExecution(db, id));
  }
  if (isTerminal(to) && claim.parentExecutionId && !options.inlineChild) {
    // A child ended: its parent's wait on it resolves and the parent is queued again.
    await retryOnConnectionError(() => resolveChildWaits(database, claim.id), {
      what: `waking the parent of ${claim.id}`,
    });
  }
  if (to !== "queued" && to !== "paused") recordFinish(to, claim.mode);
  return result;
}

/** Whether a definition has nodes that may suspend (and so need the wait store). */
function suspends(definition: ClaimedExecution["definition"]): boolean {
  return definition.nodes.some((n) => nodeModuleOf(n.type)?.suspends === true);
}

function progressOf(nodes: Record<string, NodeCheckpoint>): { finished: number; total: number } {
  const all = Object.values(nodes);
  return { finished: all.filter((n) => isFinishedNode(n.status)).length, total: all.length };
}
