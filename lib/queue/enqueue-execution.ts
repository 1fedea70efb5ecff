import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { type ExecutionRow, executions } from "@/lib/db/schema";

export type NewExecution = typeof executions.$inferInsert;

/**
 * Inserts an execution, or returns the existing one when the workflow already has an execution
 * with the same idempotency key (`created: false`). Concurrent identical requests race on the
 * partial unique index; the losers read the winner's row.
 */
export async function enqueueExecution(
  db: Db,
  values: NewExecution,
): Promise<{ row: ExecutionRow; created: boolean }> {
  const inserted = await db
    .insert(executions)
    .values(values)
    .onConflictDoNothing({
      target: [executions.workflowId, executions.idempotencyKey],
      where: sql`${executions.idempotencyKey} is not null`,
    })
    .returning();
  const row = inserted[0];
  if (row) return { row, created: true };
  if (!values.idempotencyKey) throw new Error(`execution ${values.id} was not inserted`);
  const [existing] = await db
    .select()
    .from(executions)
    .where(
      and(eq(executions.workflowId, values.workflowId), eq(executions.idempotencyKey, values.idempotencyKey)),
    )
    .limit(1);
  if (!existing) throw new Error(`execution with idempotency key ${values.idempotencyKey} vanished`);
  return { row: existing, created: false };
}
