import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { type ControlResult, controlResultOf } from "./control-result";

/**
 * Resumes a paused execution (queued again, checkpoints kept), or withdraws a pause its runner has
 * not honoured yet. Anything else is left as is (`changed: false`).
 */
export async function resumeExecution(db: Db, id: string): Promise<ControlResult | undefined> {
  const [row] = await query<{ previous: string; status: string | null; control: string | null }>(
    db,
    sql`with old as (select id, status from executions where id = ${id} for update),
      changed as (
        update executions e set
          status = case when old.status = 'paused' then 'queued' else e.status end,
          control = null,
          run_after = case when old.status = 'paused' then now() else e.run_after end,
          updated_at = now()
        from old where e.id = old.id
          and (old.status = 'paused' or (old.status = 'running' and e.control = 'pause'))
        returning e.id, e.status, e.control
      )
      select old.status as previous, changed.status, changed.control from old left join changed on changed.id = old.id`,
  );
  return controlResultOf(row);
}
