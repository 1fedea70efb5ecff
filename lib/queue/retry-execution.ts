import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { executions, nodeRuns } from "@/lib/db/schema";
import { retryDropKeys } from "@/lib/workflow/bodies";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { type ControlResult, controlResultOf } from "./control-result";

/**
 * Queues a failed or cancelled execution again. Node runs that did not succeed are dropped so the
 * engine runs them anew (skipped ones too: what they were skipped for may change); succeeded ones
 * are kept and reused. Anything else is left as is (`changed: false`).
 *
 * Loops: a succeeded execution whose loop let items fail (`onItemError: "continue"`) can be retried
 * too, to re-run the failed items only; the checkpoints downstream of those items (in the item, then
 * after each enclosing loop) are dropped with them, so what consumed the old results runs again.
 */
export async function retryExecution(db: Db, id: string): Promise<ControlResult | undefined> {
  const [exec] = await db
    .select({ definition: executions.definition })
    .from(executions)
    .where(eq(executions.id, id))
    .limit(1);
  if (!exec) return undefined;
  const definition = exec.definition as WorkflowDefinition;
  // Only a workflow with loops has per-item checkpoints to look at.
  const keys = definition.nodes.some((n) => n.parentId !== undefined)
    ? (
        await db
          .select({ nodeId: nodeRuns.nodeId })
          .from(nodeRuns)
          .where(
            and(
              eq(nodeRuns.executionId, id),
              ne(nodeRuns.status, "succeeded"),
              sql`strpos(${nodeRuns.nodeId}, '#') > 0`,
            ),
          )
      ).map((r) => r.nodeId)
    : [];
  const drop = keys.length > 0 ? retryDropKeys(definition, keys) : [];
  const retryable =
    keys.length > 0
      ? sql`(old.status in ('failed', 'cancelled') or old.status = 'succeeded')`
      : sql`old.status in ('failed', 'cancelled')`;
  const [row] = await query<{ previous: string; status: string | null; control: string | null }>(
    db,
    sql`with old as (select id, status from executions where id = ${id} for update),
      changed as (
        update executions e set status = 'queued', control = null, error = null, outputs = null,
          finished_at = null, lease_owner = null, lease_expires_at = null, run_after = now(), updated_at = now(),
          run_ms = 0
        from old where e.id = old.id and ${retryable}
        returning e.id, e.status, e.control
      ),
      dropped as (
        delete from node_runs n using changed where n.execution_id = changed.id
          and (n.status <> 'succeeded' or n.node_id = any(${sql.param(drop)}::text[]))
      )
      select old.status as previous, changed.status, changed.control from old left join changed on changed.id = old.id`,
  );
  return controlResultOf(row);
}
