import "server-only";
import { sql } from "drizzle-orm";
import { parseOrThrow } from "@/lib/api/errors";
import { BulkRetryRequest } from "@/lib/api/schemas";
import { type Database, query } from "@/lib/db/client";
import { notifyQueue } from "@/lib/queue/notify-queue";
import { getWorkflowOrThrow } from "@/lib/workflow-store/service";
import { kickDrain } from "./kick-drain";

/** `{ retried: ids }`, and `deduplicated` when the request key was already used. */
export interface BulkRetryAnswer {
  retried: string[];
  deduplicated?: boolean;
}

/**
 * Re-queues a workflow's failed (or cancelled) executions that match the filters, each exactly
 * once (SPEC §3 `POST /api/workflows/:id/executions/retry`), newest first, at most `limit`
 * (default 100).
 *
 * Exactly once: the claim is one conditional UPDATE whose WHERE requires the retryable status.
 * Two concurrent requests that pick the same row serialize on its row lock, and the second
 * re-checks the condition after the first commits, finds the row `queued` and leaves it. Each row
 * is reset like a single retry: node runs that did not succeed are dropped, succeeded ones reused.
 *
 * Idempotent per request: with a request key (the `Idempotency-Key` header), each retried row
 * records it in `retry_key`; the same key again answers the rows it retried (`deduplicated`) and
 * re-queues nothing, whether it comes concurrently or later.
 */
export async function bulkRetry(
  database: Database,
  workflowId: string,
  body: unknown,
  options: { requestKey?: string } = {},
): Promise<BulkRetryAnswer> {
  const { db } = database;
  const request = parseOrThrow(BulkRetryRequest, body);
  await getWorkflowOrThrow(db, workflowId);
  const key = options.requestKey ?? null;
  const earlier = async () =>
    key === null
      ? []
      : (
          await query<{ id: string }>(
            db,
            sql`select id from executions where workflow_id = ${workflowId} and retry_key = ${key}
              order by created_at desc, id desc`,
          )
        ).map((r) => r.id);
  const before = await earlier();
  if (before.length > 0) return { retried: before, deduplicated: true };

  const status = request.status ?? "failed";
  const filters = [
    sql`e.workflow_id = ${workflowId}`,
    sql`e.status = ${status}`,
    sql`e.node_id is null`,
    request.since ? sql`e.created_at >= ${request.since}::timestamptz` : undefined,
    request.until ? sql`e.created_at < ${request.until}::timestamptz` : undefined,
    request.tag ? sql`e.tags @> ${JSON.stringify([request.tag])}::jsonb` : undefined,
    request.ids
      ? sql`e.id in (select jsonb_array_elements_text(${JSON.stringify(request.ids)}::jsonb))`
      : undefined,
  ].filter((f) => f !== undefined);
  const rows = await query<{ id: string }>(
    db,
    sql`with picked as (
        select e.id from executions e where ${sql.join(filters, sql` and `)}
        order by e.created_at desc, e.id desc limit ${request.limit ?? 100}
      ),
      changed as (
        update executions e set status = 'queued', control = null, error = null, outputs = null,
          finished_at = null, lease_owner = null, lease_expires_at = null, run_after = now(), updated_at = now(),
          run_ms = 0, retry_key = ${key}
        from picked where e.id = picked.id and e.status = ${status}
        returning e.id, e.created_at
      ),
      dropped as (
        delete from node_runs n using changed where n.execution_id = changed.id and n.status <> 'succeeded'
      )
      select id from changed order by created_at desc, id desc`,
  );
  const retried = rows.map((r) => r.id);
  if (retried.length > 0) {
    await notifyQueue(db);
    kickDrain(database);
  }
  if (key !== null && retried.length === 0) {
    // A concurrent request with the same key claimed them first: answer what it retried.
    const mine = await earlier();
    if (mine.length > 0) return { retried: mine, deduplicated: true };
  }
  return { retried };
}
