import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { closeRunningStretch } from "./run-time";

/**
 * Gives a running execution back without finishing it, keeping its checkpoints: `queued` (budget
 * reached: a drainer picks it up again; `handedOff` marks an immediate run that outgrew its
 * request) or `paused` (by request; `resume` queues it again). A no-op unless `fence` is current.
 */
export async function releaseExecution(
  db: Db,
  options: { id: string; fence: number; to: "queued" | "paused"; handedOff?: boolean },
): Promise<boolean> {
  const rows = await query<{ id: string }>(
    db,
    sql`update executions set status = ${options.to},
        handed_off = handed_off or ${options.handedOff ?? false},
        control = case when ${options.to} = 'paused' then null else control end,
        lease_owner = null, lease_expires_at = null, run_after = now(), updated_at = now(),
        ${closeRunningStretch}
      where id = ${options.id} and fence = ${options.fence} and status = 'running'
      returning id`,
  );
  return rows.length > 0;
}
