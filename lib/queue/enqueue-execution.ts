import "server-only";
import { and, eq, getTableColumns, is, SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { type Db, query } from "@/lib/db/client";
import { toJsonParam } from "@/lib/db/json-param";
import { type ExecutionRow, executions } from "@/lib/db/schema";
import { type ClaimedExecution, type ClaimRow, toClaimed } from "./claim-executions";

export type NewExecution = typeof executions.$inferInsert;

/** The executions table's columns by property name, for the hand-built insert below. */
const COLUMNS = getTableColumns(executions) as Record<string, PgColumn>;

/**
 * The columns of an execution inserted already claimed by `owner` (its runner starts it at once,
 * with no queue hop): running, fence and claims 1, a lease of `leaseMs` from now.
 */
export function claimedOnInsert(owner: string | undefined, leaseMs: number) {
  return {
    status: "running",
    fence: 1,
    claims: 1,
    leaseOwner: owner,
    leaseExpiresAt: sql`now() + ${leaseMs} * interval '1 millisecond'` as unknown as Date,
    startedAt: sql`now()` as unknown as Date,
  } satisfies Partial<NewExecution>;
}

/**
 * Inserts an execution, or returns the existing one when the workflow already has an execution
 * with the same idempotency key (`created: false`). Concurrent identical requests race on the
 * partial unique index; the losers read the winner's row.
 *
 * The statement is written here rather than by drizzle's insert builder, which spent about 0.3 ms
 * of CPU per call building it (every queued run goes through here); values and returned columns
 * go through the same column encoders and decoders drizzle uses.
 */
export async function enqueueExecution(
  db: Db,
  values: NewExecution,
): Promise<{ row: ExecutionRow; created: boolean }> {
  const names: SQL[] = [];
  const params: SQL[] = [];
  for (const [key, value] of Object.entries(values)) {
    const column = COLUMNS[key];
    if (value === undefined || !column) continue;
    names.push(sql`${sql.identifier(column.name)}`);
    // `is` walks the prototype chain, which a null-prototype object (an expression's result) lacks.
    const isSql =
      value !== null && typeof value === "object" && Object.getPrototypeOf(value) !== null && is(value, SQL);
    params.push(value === null ? sql`null` : isSql ? (value as SQL) : sql`${sql.param(value, column)}`);
  }
  const raw = await query<Record<string, unknown>>(
    db,
    sql`insert into executions (${sql.join(names, sql`, `)}) values (${sql.join(params, sql`, `)})
      on conflict (workflow_id, idempotency_key) where idempotency_key is not null do nothing
      returning *`,
  );
  const inserted = raw.map(toExecutionRow);
  const row = inserted[0];
  if (row) return { row, created: true };
  if (!values.idempotencyKey) throw new Error(`execution ${values.id} was not inserted`);
  const [existing] = await db
    .select()
    .from(executions)
    .where(
      and(eq(executions.workflowId, values.workflowId), eq(executions.idempotencyKey, values.idempotencyKey)),
    )
    .limit(1);
  if (!existing) throw new Error(`execution with idempotency key ${values.idempotencyKey} vanished`);
  return { row: existing, created: false };
}

/** A row as `returning *` gives it (column names, driver values), as drizzle would have mapped it. */
function toExecutionRow(raw: Record<string, unknown>): ExecutionRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as ExecutionRow;
}

/** What an immediate run's insert takes besides the workflow's version and definition. */
export interface ImmediateExecution {
  id: string;
  workflowId: string;
  requestedMode: string;
  /** The trigger asked for; else the definition's first node of one of `triggerTypes`. */
  triggerId?: string;
  /** Node types that start runs (`isTriggerNode`), to pick the default trigger in SQL. */
  triggerTypes: readonly string[];
  inputs: unknown;
  priority: number;
  tags: unknown;
  timeoutMs: number | null;
  idempotencyKey: string | null;
  budget: unknown;
  leaseOwner: string;
  leaseMs: number;
  /** The request's W3C `traceparent` (the parent of the execution's trace), or null. */
  traceContext?: string | null;
}

/**
 * Inserts an immediate execution already claimed by its runner (status `running`, fence 1,
 * leased to `leaseOwner`) with the workflow's current version and definition, read by the same
 * statement: one round trip where reading the workflow and then inserting took two. Returns
 * undefined when nothing was inserted: no such workflow, or the idempotency key was used already
 * (the caller then takes the ordinary path, which answers either). Unique violations (a taken
 * execution id) are thrown as `enqueueExecution` throws them.
 */
export async function insertImmediateExecution(
  db: Db,
  values: ImmediateExecution,
): Promise<(ClaimedExecution & { workflowVersion: number }) | undefined> {
  const triggerTypes = sql.join(
    values.triggerTypes.map((t) => sql`${t}`),
    sql`, `,
  );
  const [row] = await query<ClaimRow & { workflow_version: number }>(
    db,
    sql`with w as (select version, definition from workflows where id = ${values.workflowId})
      insert into executions (id, workflow_id, workflow_version, status, mode, requested_mode, trigger_id,
        definition, inputs, priority, tags, timeout_ms, idempotency_key, budget, fence, claims, lease_owner,
        lease_expires_at, started_at, trace_context)
      select ${values.id}, ${values.workflowId}, w.version, 'running', 'immediate', ${values.requestedMode},
        coalesce(${values.triggerId ?? null}::text, (select n->>'id' from jsonb_array_elements(w.definition->'nodes')
          with ordinality as t(n, i) where n->>'type' in (${triggerTypes}) order by i limit 1)),
        w.definition, ${toJsonParam(values.inputs)}::jsonb, ${values.priority}::int, ${toJsonParam(values.tags)}::jsonb,
        ${values.timeoutMs}::int, ${values.idempotencyKey}::text,
        ${values.budget === null || values.budget === undefined ? null : toJsonParam(values.budget)}::jsonb,
        1, 1, ${values.leaseOwner}, now() + ${values.leaseMs} * interval '1 millisecond', now(),
        ${values.traceContext ?? null}::text
      from w
      on conflict (workflow_id, idempotency_key) where idempotency_key is not null do nothing
      returning id, workflow_id, workflow_version, fence, claims, definition, inputs, trigger_id, node_id,
        timeout_ms, control, (extract(epoch from started_at) * 1000)::float8 as started_at_ms, run_ms, mode,
        trace_context`,
  );
  return row ? { ...toClaimed(row), workflowVersion: row.workflow_version } : undefined;
}
