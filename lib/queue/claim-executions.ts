import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

/** What a runner gets when it claims an execution. */
export interface ClaimedExecution {
  id: string;
  workflowId: string;
  fence: number;
  claims: number;
  definition: WorkflowDefinition;
  inputs: Record<string, unknown>;
  triggerId: string | null;
  nodeId: string | null;
  timeoutMs: number | null;
  control: "cancel" | "pause" | null;
  /** Epoch ms of the first start. */
  startedAtMs: number;
  /** Running time of earlier claims (ms), which the execution timeout counts. */
  runMs: number;
  /** `immediate` | `queued` (metrics labels). */
  mode?: string;
  /** The stored W3C trace context the runner's span continues (tracing). */
  traceContext?: string | null;
  /** How long a queued execution waited to be claimed (ms); absent for lease recoveries and immediate runs. */
  waitedMs?: number | null;
  /** A child execution's parent (a `workflow` node's run), resumed when the child ends. */
  parentExecutionId?: string | null;
  /** Nesting depth (0: top level). */
  depth?: number;
}

interface ClaimRow {
  id: string;
  workflow_id: string;
  fence: number;
  claims: number;
  definition: WorkflowDefinition;
  inputs: Record<string, unknown>;
  trigger_id: string | null;
  node_id: string | null;
  timeout_ms: number | null;
  control: "cancel" | "pause" | null;
  started_at_ms: number | string;
  run_ms: number;
  mode?: string;
  trace_context?: string | null;
  waited_ms?: number | string | null;
  parent_execution_id?: string | null;
  depth?: number;
}

/**
 * Claims up to `limit` executions in one statement: running ones whose lease expired (their
 * runner died) first, then queued ones due now, highest priority first. `FOR UPDATE SKIP LOCKED`
 * lets any number of drainers claim side by side without ever taking the same row. Each claim
 * starts a lease of `leaseMs` and bumps `fence`: from then on only writes carrying the new fence
 * land, so the previous holder (if any) is shut out.
 */
export async function claimExecutions(
  db: Db,
  options: { owner: string; limit: number; leaseMs: number },
): Promise<ClaimedExecution[]> {
  if (options.limit <= 0) return [];
  const rows = await query<ClaimRow>(
    db,
    sql`
    with expired as (
      select id from executions
      where status = 'running' and lease_expires_at < now()
      order by lease_expires_at
      limit ${options.limit}
      for update skip locked
    ), due as (
      select id from executions
      where status = 'queued' and run_after <= now()
      order by priority desc, run_after, created_at
      limit ${options.limit}
      for update skip locked
    ), picked as (
      select id, k from (select id, 0 as k from expired union all select id, 1 as k from due) p
      order by k
      limit ${options.limit}
    )
    update executions e set
      status = 'running',
      lease_owner = ${options.owner},
      lease_expires_at = now() + ${options.leaseMs} * interval '1 millisecond',
      fence = e.fence + 1,
      claims = e.claims + 1,
      started_at = coalesce(e.started_at, now()),
      segment_started_at = now(),
      updated_at = now()
    from picked
    where e.id = picked.id
    returning e.id, e.workflow_id, e.fence, e.claims, e.definition, e.inputs, e.trigger_id, e.node_id,
      e.timeout_ms, e.control, (extract(epoch from e.started_at) * 1000)::float8 as started_at_ms, e.run_ms,
      e.mode, e.trace_context, e.parent_execution_id, e.depth,
      case when picked.k = 1 then (extract(epoch from now() - e.run_after) * 1000)::float8 end as waited_ms`,
  );
  return rows.map(toClaimed);
}

/** Maps a claim's returned row. */
export function toClaimed(r: ClaimRow): ClaimedExecution {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    fence: r.fence,
    claims: r.claims,
    definition: r.definition,
    inputs: r.inputs ?? {},
    triggerId: r.trigger_id,
    nodeId: r.node_id,
    timeoutMs: r.timeout_ms,
    control: r.control,
    startedAtMs: Number(r.started_at_ms),
    runMs: Number(r.run_ms ?? 0),
    mode: r.mode,
    traceContext: r.trace_context ?? null,
    waitedMs: r.waited_ms === null || r.waited_ms === undefined ? null : Number(r.waited_ms),
    parentExecutionId: r.parent_execution_id ?? null,
    depth: r.depth ?? 0,
  };
}

export type { ClaimRow };
