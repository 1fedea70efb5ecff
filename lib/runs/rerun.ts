import "server-only";
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { AppError, notFound, parseOrThrow } from "@/lib/api/errors";
import { type Database, query } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import type { NodeStatus } from "@/lib/engine/ports";
import { createEventWriter } from "@/lib/events/store";
import { notifyQueue } from "@/lib/queue/notify-queue";
import { planRerun, type RerunPlanIssue } from "@/lib/versions/rerun-plan";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import type { ValidationIssue } from "@/lib/workflow/validate";
import { getWorkflowOrThrow } from "@/lib/workflows/service";
import { kickDrain } from "./kick-drain";

/** The body of `POST /api/executions/:id/rerun`. */
export const RerunRequest = z.strictObject({
  fromNodeId: z.string().min(1).max(64),
  version: z.enum(["original", "latest"]).optional(),
});
export type RerunRequest = z.infer<typeof RerunRequest>;

/** The answer to a rerun request (202: the new execution is queued). */
export interface RerunAnswer {
  executionId: string;
  sourceExecutionId: string;
  status: "queued";
  workflowVersion: number;
  /** Nodes whose checkpoints were copied from the source (not run again). */
  reused: string[];
  /** Nodes that run in the new execution. */
  rerun: string[];
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

const toIssues = (issues: RerunPlanIssue[]): ValidationIssue[] =>
  issues.map((i) => ({ path: i.path, code: i.code, message: i.message }));

/**
 * Re-runs an execution from one node (SPEC §3 `POST /api/executions/:id/rerun`).
 *
 * The new execution runs `version: "original"` (default: the source's own definition snapshot) or
 * `"latest"` (the workflow as saved now). Every participating node that is not downstream of
 * `fromNodeId` gets the source's checkpoint copied (`reused`), and the runner's resume path settles
 * them without running; `fromNodeId` and everything downstream of it run. With `latest`, nodes the
 * plan cannot reuse are listed as a 422 (gone, or type changed), and nodes whose config changed
 * run (their downstream too). Nothing is created when the request is refused.
 *
 * The execution is inserted already counted as claimed once (`claims = 1`): its first real claim
 * is then a resume, which loads the copied checkpoints instead of assuming a fresh run.
 */
export async function rerunExecution(
  database: Database,
  sourceId: string,
  body: unknown,
): Promise<RerunAnswer> {
  const { db } = database;
  const request = parseOrThrow(RerunRequest, body);
  const [source] = await db.select().from(executions).where(eq(executions.id, sourceId)).limit(1);
  if (!source) throw notFound(`execution "${sourceId}"`);
  if (source.nodeId) {
    throw new AppError(409, "invalid_state", "a single-node run cannot be re-run; run the node again");
  }
  if (!TERMINAL.has(source.status)) {
    throw new AppError(
      409,
      "invalid_state",
      `cannot re-run a ${source.status} execution: wait until it has finished or cancel it`,
    );
  }
  if (!source.definition.nodes.some((n) => n.id === request.fromNodeId)) {
    const message = `no node "${request.fromNodeId}" in this execution's definition`;
    throw new AppError(422, "invalid_request", `fromNodeId: ${message}`, [
      { path: "fromNodeId", code: "unknown_node", message },
    ]);
  }

  let definition: WorkflowDefinition = source.definition;
  let workflowVersion = source.workflowVersion;
  if (request.version === "latest") {
    const workflow = await getWorkflowOrThrow(db, source.workflowId);
    definition = workflow.definition;
    workflowVersion = workflow.version;
  }

  const sourceRuns = await query<{ node_id: string; status: NodeStatus }>(
    db,
    sql`select node_id, status from node_runs where execution_id = ${sourceId}`,
  );
  const statuses = new Map(sourceRuns.map((r) => [r.node_id, r.status] as const));
  const plan = planRerun({
    source: source.definition,
    target: definition,
    fromNodeId: request.fromNodeId,
    triggerId: source.triggerId ?? undefined,
    sourceStatuses: statuses,
    latest: request.version === "latest",
  });
  if (!plan.ok) {
    const issues = toIssues(plan.issues);
    throw new AppError(
      422,
      "rerun_conflict",
      `the latest version cannot reuse this execution: ${issues.map((i) => i.message).join("; ")}`,
      issues,
    );
  }

  const id = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(executions).values({
      id,
      workflowId: source.workflowId,
      workflowVersion,
      sourceExecutionId: source.id,
      status: "queued",
      mode: "queued",
      requestedMode: "queued",
      triggerId: plan.triggerId,
      definition,
      inputs: source.inputs,
      priority: source.priority,
      tags: source.tags,
      timeoutMs: source.timeoutMs,
      claims: 1,
    });
    if (plan.reuse.length > 0) {
      await tx.execute(
        sql`insert into node_runs (execution_id, node_id, status, attempts, input, output, error, cached, reused,
            started_at, finished_at, duration_ms, updated_at)
          select ${id}, n.node_id, n.status, n.attempts, n.input, n.output, n.error, n.cached, true,
            n.started_at, n.finished_at, n.duration_ms, now()
          from node_runs n
          where n.execution_id = ${sourceId}
            and n.node_id in (select jsonb_array_elements_text(${JSON.stringify(plan.reuse)}::jsonb))`,
      );
    }
  });

  // Reused nodes are announced as settled before the runner starts, so a live client draws them.
  if (plan.reuse.length > 0) {
    const writer = createEventWriter(database, id);
    const at = new Date().toISOString();
    for (const nodeId of plan.reuse) {
      writer.emit({
        type: "node",
        nodeId,
        status: statuses.get(nodeId) ?? "succeeded",
        attempt: 0,
        at,
        reused: true,
      });
    }
    await writer.flush();
  }
  await notifyQueue(db);
  kickDrain(database);
  return {
    executionId: id,
    sourceExecutionId: source.id,
    status: "queued",
    workflowVersion,
    reused: plan.reuse,
    rerun: plan.run,
  };
}
