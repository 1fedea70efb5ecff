import "server-only";
import { asc, eq } from "drizzle-orm";
import type { ExecutionStatus } from "@/lib/contract/status";
import type { Db } from "@/lib/db/client";
import { executions, workflows } from "@/lib/db/schema";

/** A child execution as the parent's execution page shows it: its link, status and span. */
export interface ChildExecution {
  id: string;
  /** The parent's `workflow` node that started it. */
  parentNodeId: string | null;
  workflowId: string;
  /** The child workflow's current name (null when it was deleted since). */
  workflowName: string | null;
  status: ExecutionStatus;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}

/**
 * The executions a parent's `workflow` nodes started, oldest first (a node retried or run per
 * loop item has several). For the execution page only: not part of the public API contract.
 */
export async function childExecutionsOf(db: Db, parentId: string): Promise<ChildExecution[]> {
  const rows = await db
    .select({
      id: executions.id,
      parentNodeId: executions.parentNodeId,
      workflowId: executions.workflowId,
      workflowName: workflows.name,
      status: executions.status,
      startedAt: executions.startedAt,
      finishedAt: executions.finishedAt,
      createdAt: executions.createdAt,
    })
    .from(executions)
    .leftJoin(workflows, eq(workflows.id, executions.workflowId))
    .where(eq(executions.parentExecutionId, parentId))
    .orderBy(asc(executions.createdAt), asc(executions.id));
  return rows.map((r) => ({
    id: r.id,
    parentNodeId: r.parentNodeId,
    workflowId: r.workflowId,
    workflowName: r.workflowName,
    status: r.status as ExecutionStatus,
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}
