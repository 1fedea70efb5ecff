import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { toJsonParam } from "@/lib/db/json-param";
import type { NodeCheckpoint } from "@/lib/engine/ports";

/** A checkpoint as one element of the JSON array the node_runs upserts read (`NODE_RUN_COLUMNS`). */
export function checkpointRecord(c: NodeCheckpoint) {
  return {
    node_id: c.nodeId,
    status: c.status,
    attempts: c.attempts,
    input: c.input ?? null,
    output: c.output ?? null,
    error: c.error ?? null,
    cached: c.cached ?? false,
    started_at: c.startedAt ?? null,
    finished_at: c.finishedAt ?? null,
    duration_ms: c.durationMs === undefined ? null : Math.round(c.durationMs),
    handle: c.handle ?? null,
  };
}

/**
 * Upserts node checkpoints of one execution in one statement, only while `fence` is current. The
 * executions row is read `FOR SHARE`, so a write either lands before a new claim commits (and the
 * new runner loads it) or sees the new fence and writes nothing. Returns false when fenced out.
 * Checkpoints must name distinct nodes.
 */
export async function saveNodeRuns(
  db: Db,
  options: { executionId: string; fence: number; checkpoints: NodeCheckpoint[] },
): Promise<boolean> {
  if (options.checkpoints.length === 0) return true;
  const records = options.checkpoints.map(checkpointRecord);
  const rows = await query<{ node_id: string }>(
    db,
    sql`insert into node_runs (execution_id, node_id, status, attempts, input, output, error, cached,
        started_at, finished_at, duration_ms, handle, updated_at)
      select ${options.executionId}, x.node_id, x.status, x.attempts, x.input, x.output, x.error, x.cached,
        x.started_at, x.finished_at, x.duration_ms, x.handle, now()
      from jsonb_to_recordset(${toJsonParam(records)}::jsonb) as x(node_id text, status text, attempts int,
        input jsonb, output jsonb, error jsonb, cached boolean, started_at timestamptz, finished_at timestamptz,
        duration_ms int, handle text)
      where exists (select 1 from executions where id = ${options.executionId} and fence = ${options.fence} for share)
      on conflict (execution_id, node_id) do update set status = excluded.status, attempts = excluded.attempts,
        input = excluded.input, output = excluded.output, error = excluded.error, cached = excluded.cached,
        started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
        handle = excluded.handle, updated_at = now()
      returning node_id`,
  );
  return rows.length > 0;
}
