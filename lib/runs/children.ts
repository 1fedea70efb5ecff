import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, lte, type SQL, sql } from "drizzle-orm";
import { isTerminal } from "@/lib/contract/status";
import { type Database, query } from "@/lib/db/client";
import { toJsonParam } from "@/lib/db/json-param";
import { executions, workflows, workflowVersions } from "@/lib/db/schema";
import { EngineError } from "@/lib/engine/errors";
import type { ChildPort, ChildRequest, ChildState } from "@/lib/engine/ports";
import { TRIGGER_TYPES } from "@/lib/nodes/registry";
import type { ClaimedExecution } from "@/lib/queue/claim-executions";
import { claimedOnInsert, enqueueExecution } from "@/lib/queue/enqueue-execution";
import { notifyQueue } from "@/lib/queue/notify-queue";
import { pickTrigger } from "@/lib/workflow/graph";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { createOwnerName } from "./drain";
import { kickDrain } from "./kick-drain";
import { childEnded, childResolution, requeueResumed } from "./waits";

/** The deepest a chain of sub-workflows may nest. */
export const MAX_CHILD_DEPTH = 10;
/** A child this small (nodes) may run inline in its parent's immediate request. */
const INLINE_MAX_NODES = 25;
/** …when at least this much of the request's budget is left. */
const INLINE_MIN_BUDGET_MS = 500;

export interface ChildPortOptions {
  /** The parent's first claim: no child of it exists yet. */
  fresh?: boolean;
  /** Run every child to its end before answering (single-node play). */
  inline?: "always" | "small" | "never";
  /** Epoch ms: the parent's soft deadline (an inline child hands off to the queue past it). */
  deadline?: number;
  leaseMs: number;
  /** Runs a claimed child inline (the runner's own `runExecution`, passed in to avoid an import cycle). */
  runInline?: (claim: ClaimedExecution) => Promise<unknown>;
}

/**
 * The child executions of one parent execution (`ports.children`). Starting a child is idempotent
 * per parent, node key and attempt (`parent_key`, unique per parent): a resumed parent finds the
 * child it started before its crash instead of starting a second one. A child is queued like any
 * run (it holds no part of its parent's runner), or, when small and the parent's immediate budget
 * allows, claimed and run right here.
 */
export function createChildPort(
  database: Database,
  parent: {
    id: string;
    workflowId: string;
    depth?: number;
    startedAtMs: number;
    traceContext?: string | null;
  },
  options: ChildPortOptions,
): ChildPort {
  const { db } = database;
  // The parent as its runner claimed it: its depth, when its run started (a child's default
  // version is the latest as of then) and the trace its children continue.
  const p = {
    depth: parent.depth ?? 0,
    startedAt: new Date(parent.startedAtMs),
    traceContext: parent.traceContext ?? null,
  };
  const stateOf = (row: {
    id: string;
    status: string;
    outputs: unknown;
    error: ChildState["error"] | null;
  }): ChildState => ({
    executionId: row.id,
    status: row.status,
    outputs: (row.outputs as Record<string, unknown> | null) ?? null,
    error: row.error ?? null,
  });

  const existing = async (parentKey: string) => {
    const [row] = await db
      .select({
        id: executions.id,
        status: executions.status,
        outputs: executions.outputs,
        error: executions.error,
      })
      .from(executions)
      .where(and(eq(executions.parentExecutionId, parent.id), eq(executions.parentKey, parentKey)))
      .limit(1);
    return row;
  };

  return {
    async start(request: ChildRequest): Promise<ChildState> {
      const parentKey = `${request.key}@${request.attempt}`;
      // A parent's first claim cannot have started this child before: no lookup then.
      if (!options.fresh) {
        const found = await existing(parentKey);
        if (found) return stateOf(found);
      }
      const depth = p.depth + 1;
      if (depth > MAX_CHILD_DEPTH)
        throw new EngineError(
          "depth_exceeded",
          `sub-workflows nest more than ${MAX_CHILD_DEPTH} levels deep at "${request.nodeId}" (workflow "${request.workflowId}")`,
        );
      const budgetLeft = options.deadline === undefined ? 0 : options.deadline - Date.now();
      const mayInline = request.wait && options.runInline !== undefined;
      const wanted = {
        always: mayInline && options.inline === "always",
        ifSmall: mayInline && options.inline === "small" && budgetLeft >= INLINE_MIN_BUDGET_MS,
      };
      // The child's trace hangs below the calling attempt's span (else the parent's claim span).
      const traceContext = request.traceparent ?? p.traceContext;
      const id = randomUUID();
      const owner = wanted.always || wanted.ifSmall ? createOwnerName("child") : undefined;
      const child = {
        id,
        parentId: parent.id,
        parentKey,
        depth,
        traceContext,
        owner,
        leaseMs: options.leaseMs,
      };
      let target: { definition: WorkflowDefinition; version: number; inline: boolean } | undefined;
      try {
        // The common case in one statement; else the long way, which also names what is wrong.
        if (request.version === undefined)
          target = await insertFromCurrent(database, request, child, wanted, p.startedAt);
        if (!target) {
          const found = await loadTarget(database, request, p.startedAt);
          const small = found.definition.nodes.length <= INLINE_MAX_NODES;
          target = { ...found, inline: wanted.always || (wanted.ifSmall && small) };
          const { inline } = target;
          // An inline child is inserted already claimed by this runner (one statement, no queue hop).
          await enqueueExecution(db, {
            id,
            workflowId: request.workflowId,
            workflowVersion: target.version,
            status: "queued",
            mode: inline ? "immediate" : "queued",
            requestedMode: inline ? "immediate" : "queued",
            definition: target.definition,
            inputs: (request.inputs ?? {}) as Record<string, unknown>,
            triggerId: request.triggerId,
            tags: ["child"],
            parentExecutionId: parent.id,
            parentNodeId: request.nodeId,
            parentKey,
            depth,
            traceContext: traceContext ?? undefined,
            ...(inline ? claimedOnInsert(owner, options.leaseMs) : {}),
          });
        }
      } catch (err) {
        // Another runner of this parent (a lease takeover) started it first: use that one.
        const raced = await existing(parentKey);
        if (raced) return stateOf(raced);
        throw err;
      }
      const { inline } = target;
      if (!inline) {
        await notifyQueue(db);
        kickDrain(database);
        return { executionId: id, status: "queued" };
      }
      const result = (await options.runInline!({
        id,
        workflowId: request.workflowId,
        fence: 1,
        claims: 1,
        definition: target.definition,
        inputs: (request.inputs ?? {}) as Record<string, unknown>,
        triggerId: request.triggerId ?? null,
        nodeId: null,
        timeoutMs: null,
        control: null,
        startedAtMs: Date.now(),
        runMs: 0,
        mode: "immediate",
        traceContext,
        parentExecutionId: parent.id,
        depth,
      })) as { status: string; outputs?: Record<string, unknown>; error?: ChildState["error"] } | undefined;
      if (result && isTerminal(result.status)) {
        // Started and ended in this call: no wait to record or consume.
        return {
          executionId: id,
          status: result.status,
          outputs: result.outputs ?? null,
          error: result.error ?? null,
          fresh: true,
        };
      }
      const row = await existing(parentKey);
      return row ? stateOf(row) : { executionId: id, status: "queued" };
    },
  };
}

/**
 * Inserts the child in one statement when it runs its workflow's current version (saved before
 * the parent started) and that version has the trigger asked for: claimed by this runner when it
 * is to run inline (always, or when small). Returns what it inserted, or undefined when any of
 * that does not hold (the caller then takes the long way, `loadTarget`, which names what is wrong).
 */
async function insertFromCurrent(
  database: Database,
  request: ChildRequest,
  child: {
    id: string;
    parentId: string;
    parentKey: string;
    depth: number;
    traceContext: string | null;
    owner?: string;
    leaseMs: number;
  },
  wanted: { always: boolean; ifSmall: boolean },
  parentStartedAt: Date,
): Promise<{ definition: WorkflowDefinition; version: number; inline: boolean } | undefined> {
  const triggerId = request.triggerId ?? null;
  const rows = await query<{ definition: WorkflowDefinition; workflow_version: number; status: string }>(
    database.db,
    sql`insert into executions (id, workflow_id, workflow_version, status, mode, requested_mode, definition,
          inputs, trigger_id, tags, parent_execution_id, parent_node_id, parent_key, depth, trace_context,
          fence, claims, lease_owner, lease_expires_at, started_at)
        select ${child.id}, w.id, w.version, case when i.inline then 'running' else 'queued' end,
          case when i.inline then 'immediate' else 'queued' end, case when i.inline then 'immediate' else 'queued' end,
          w.definition, ${toJsonParam(request.inputs ?? {})}::text::jsonb, ${triggerId}, '["child"]'::jsonb,
          ${child.parentId}, ${request.nodeId}, ${child.parentKey}, ${child.depth}, ${child.traceContext},
          case when i.inline then 1 else 0 end, case when i.inline then 1 else 0 end,
          case when i.inline then ${child.owner ?? null}::text end,
          case when i.inline then now() + ${child.leaseMs} * interval '1 millisecond' end,
          case when i.inline then now() end
        from workflows w
        cross join lateral (select ${wanted.always}::boolean
          or (${wanted.ifSmall}::boolean and jsonb_array_length(w.definition->'nodes') <= ${INLINE_MAX_NODES}) as inline) i
        where w.id = ${request.workflowId} and w.updated_at <= ${parentStartedAt.toISOString()}::timestamptz
          and exists (select 1 from jsonb_array_elements(w.definition->'nodes') n
            where n->>'type' = any(${sql.param(TRIGGER_TYPES)}::text[])
              and (${triggerId}::text is null or n->>'id' = ${triggerId}::text))
        returning definition, workflow_version, status`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return { definition: row.definition, version: row.workflow_version, inline: row.status === "running" };
}

/** The workflow and version a child runs: the one asked for, else the latest as of the parent's start. */
async function loadTarget(
  database: Database,
  request: ChildRequest,
  parentStartedAt: Date,
): Promise<{ definition: WorkflowDefinition; version: number }> {
  const { db } = database;
  // The newest saved version of the child that matches `which`.
  const savedVersion = async (which: SQL | undefined) => {
    const [row] = await db
      .select({ definition: workflowVersions.definition, version: workflowVersions.version })
      .from(workflowVersions)
      .where(and(eq(workflowVersions.workflowId, request.workflowId), which))
      .orderBy(desc(workflowVersions.version))
      .limit(1);
    return row;
  };
  let target: { definition: WorkflowDefinition; version: number } | undefined;
  if (request.version !== undefined) {
    target = await savedVersion(eq(workflowVersions.version, request.version));
    if (!target)
      throw new EngineError(
        "not_found",
        `workflow "${request.workflowId}" has no version ${request.version}`,
      );
  } else {
    // The latest version as of the parent's start: the current one unless it was saved since.
    const [current] = await db
      .select({
        definition: workflows.definition,
        version: workflows.version,
        updatedAt: workflows.updatedAt,
      })
      .from(workflows)
      .where(eq(workflows.id, request.workflowId))
      .limit(1);
    if (current && current.updatedAt > parentStartedAt) {
      target = await savedVersion(lte(workflowVersions.createdAt, parentStartedAt));
    }
    target ??= current ? { definition: current.definition, version: current.version } : undefined;
    if (!target) throw new EngineError("not_found", `workflow "${request.workflowId}" does not exist`);
  }
  if (!pickTrigger(target.definition, request.triggerId))
    throw new EngineError(
      "invalid_trigger",
      request.triggerId === undefined
        ? `workflow "${request.workflowId}" has no trigger`
        : `workflow "${request.workflowId}" has no trigger "${request.triggerId}"`,
    );
  return target;
}

/**
 * Resolves the pending waits of parents whose child has ended (`childId`: that child's only) and
 * queues those parents. Called when a child ends, and by every drain as a sweep that catches a
 * crash between a child's end and its parent's wake. Safe to repeat: a wait resolves once.
 */
export async function resolveChildWaits(database: Database, childId?: string): Promise<void> {
  const rows = await query<{ execution_id: string }>(
    database.db,
    sql`update waits w set status = 'resolved', resolution = ${childResolution()}, resolved_at = now()
      from executions c
      where w.status = 'pending' and w.kind = 'execution' and c.id = w.child_execution_id and ${childEnded}
        ${childId === undefined ? sql`` : sql`and c.id = ${childId}`}
      returning w.execution_id`,
  );
  await requeueResumed(
    database,
    rows.map((r) => r.execution_id),
  );
}

/** The children of an execution that are not over yet. */
export async function liveChildrenOf(database: Database, parentId: string): Promise<string[]> {
  const rows = await database.db
    .select({ id: executions.id, status: executions.status })
    .from(executions)
    .where(eq(executions.parentExecutionId, parentId));
  return rows.filter((r) => !isTerminal(r.status)).map((r) => r.id);
}

/**
 * Applies a cancel or pause to the live children of an execution, and to theirs in turn (at most
 * MAX_CHILD_DEPTH levels). A running child learns of it from its next heartbeat.
 */
export async function controlChildren(
  database: Database,
  parentId: string,
  apply: (id: string) => Promise<unknown>,
  level = 0,
): Promise<void> {
  if (level >= MAX_CHILD_DEPTH) return;
  for (const child of await liveChildrenOf(database, parentId)) {
    await apply(child).catch(() => {});
    await controlChildren(database, child, apply, level + 1);
  }
}
