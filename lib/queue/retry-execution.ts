import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { type ControlResult, controlResultOf } from "./control-result";

/**
 * Queues a failed or cancelled execution again. Node runs that did not succeed are dropped so the
 * engine runs them anew (skipped ones too: what they were skipped for may change); succeeded ones
 * are kept and reused. Anything else is left as is (`changed: false`).
 */
export async function retryExecution(db: Db, id: string): Promise<ControlResult | undefined> {
  const [row] = await query<{ previous: string; status: string | null; control: string | null }>(
    db,
    sql`with old as (select id, status from executions where id = ${id} for update),
      changed as (
        update executions e set status = 'queued', control = null, error = null, outputs = null,
          finished_at = null, lease_owner = null, lease_expires_at = null, run_after = now(), updated_at = now(),
          run_ms = 0
        from old where e.id = old.id and old.status in ('failed', 'cancelled')
        returning e.id, e.status, e.control
      ),
      dropped as (
        delete from node_runs n using changed where n.execution_id = changed.id and n.status <> 'succeeded'
      )
      select old.status as previous, changed.status, changed.control from old left join changed on changed.id = old.id`,
  );
  return controlResultOf(row);
}
