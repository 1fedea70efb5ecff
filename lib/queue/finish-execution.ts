import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { toJsonParam } from "@/lib/db/json-param";

/**
 * Records a terminal status (succeeded, failed, cancelled) with outputs and error, and releases
 * the lease; a no-op (returns false) unless `fence` is still current.
 */
export async function finishExecution(
  db: Db,
  options: {
    id: string;
    fence: number;
    status: "succeeded" | "failed" | "cancelled";
    outputs?: unknown;
    error?: { message: string; code?: string; nodeId?: string } | null;
  },
): Promise<boolean> {
  const outputs = options.outputs === undefined ? null : toJsonParam(options.outputs);
  const error = options.error ? toJsonParam(options.error) : null;
  const rows = await query<{ id: string }>(
    db,
    sql`update executions set status = ${options.status}, outputs = ${outputs}::jsonb, error = ${error}::jsonb,
        finished_at = now(), lease_owner = null, lease_expires_at = null, control = null, updated_at = now()
      where id = ${options.id} and fence = ${options.fence} and status = 'running'
      returning id`,
  );
  return rows.length > 0;
}
