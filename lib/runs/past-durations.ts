import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";

/** Mean duration (ms) of each node's successful runs over the workflow's latest `window` executions. */
export async function pastDurations(
  db: Db,
  workflowId: string,
  window = 20,
): Promise<Record<string, number>> {
  const rows = await query<{ node_id: string; ms: number }>(
    db,
    sql`select nr.node_id, avg(nr.duration_ms)::float8 as ms
      from node_runs nr
      join (select id from executions where workflow_id = ${workflowId}
            order by created_at desc limit ${window}) e on e.id = nr.execution_id
      where nr.status = 'succeeded' and nr.duration_ms is not null
      group by nr.node_id`,
  );
  return Object.fromEntries(rows.map((r) => [r.node_id, Number(r.ms)]));
}
