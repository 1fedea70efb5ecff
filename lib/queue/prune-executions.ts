import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";

/**
 * Deletes up to `batchSize` executions that finished more than `retentionDays` ago (their node
 * runs and events cascade). Small batches keep each drain's share of the work short.
 */
export async function pruneExecutions(
  db: Db,
  options: { retentionDays: number; batchSize: number },
): Promise<number> {
  const rows = await query<{ id: string }>(
    db,
    sql`delete from executions where id in (
        select id from executions
        where finished_at < now() - ${options.retentionDays} * interval '1 day'
          and status in ('succeeded', 'failed', 'cancelled')
        limit ${options.batchSize}
        for update skip locked)
      returning id`,
  );
  return rows.length;
}
