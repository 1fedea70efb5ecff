import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { type ControlResult, controlResultOf } from "./control-result";

/**
 * Cancels an execution in one statement: a queued, paused or waiting one is cancelled at once (its waits too) (its running
 * or pending node runs become cancelled); a running one gets `control = 'cancel'`, which its runner
 * reads on its next heartbeat. Anything else is left as is (`changed: false`).
 */
export async function cancelExecution(db: Db, id: string): Promise<ControlResult | undefined> {
  const [row] = await query<{ previous: string; status: string | null; control: string | null }>(
    db,
    sql`with old as (select id, status from executions where id = ${id} for update),
      changed as (
        update executions e set
          status = case when old.status in ('queued', 'paused', 'waiting') then 'cancelled' else e.status end,
          control = case when old.status = 'running' then 'cancel' else null end,
          finished_at = case when old.status in ('queued', 'paused', 'waiting') then now() else e.finished_at end,
          lease_owner = case when old.status = 'running' then e.lease_owner else null end,
          lease_expires_at = case when old.status = 'running' then e.lease_expires_at else null end,
          updated_at = now()
        from old where e.id = old.id and old.status in ('queued', 'paused', 'waiting', 'running')
        returning e.id, e.status, e.control
      ),
      nodes as (
        update node_runs n set status = 'cancelled', finished_at = coalesce(n.finished_at, now()), updated_at = now()
        from changed where n.execution_id = changed.id and changed.status = 'cancelled'
          and n.status in ('running', 'pending', 'waiting')
      ),
      ended_waits as (
        update waits w set status = 'cancelled' from changed
        where w.execution_id = changed.id and changed.status = 'cancelled' and w.status in ('pending', 'resolved')
      )
      select old.status as previous, changed.status, changed.control from old left join changed on changed.id = old.id`,
  );
  return controlResultOf(row);
}
