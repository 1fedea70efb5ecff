import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { type ControlResult, controlResultOf } from "./control-result";

/**
 * Pauses an execution: a queued or waiting one is paused at once (a wait resumed meanwhile is applied on resume); a running one gets `control = 'pause'`, and
 * its runner stops at the next node boundary. Anything else is left as is (`changed: false`).
 */
export async function pauseExecution(db: Db, id: string): Promise<ControlResult | undefined> {
  const [row] = await query<{ previous: string; status: string | null; control: string | null }>(
    db,
    sql`with old as (select id, status from executions where id = ${id} for update),
      changed as (
        update executions e set
          status = case when old.status in ('queued', 'waiting') then 'paused' else e.status end,
          control = case when old.status = 'running' then 'pause' else null end,
          updated_at = now()
        from old where e.id = old.id and (old.status in ('queued', 'waiting') or (old.status = 'running' and e.control is null))
        returning e.id, e.status, e.control
      )
      select old.status as previous, changed.status, changed.control from old left join changed on changed.id = old.id`,
  );
  return controlResultOf(row);
}
