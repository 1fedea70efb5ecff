import "server-only";
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { AppError, notFound, parseOrThrow } from "@/lib/api/errors";
import { RerunRequest } from "@/lib/api/schemas";
import { isTerminal } from "@/lib/contract/status";
import { type Database, query } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import type { NodeStatus } from "@/lib/engine/ports";
import { notifyQueue } from "@/lib/queue/notify-queue";
import { planRerun, type RerunPlanIssue } from "@/lib/versions/rerun-plan";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import type { ValidationIssue } from "@/lib/workflow/validate";
import { getWorkflowOrThrow } from "@/lib/workflow-store/service";
import { kickDrain } from "./kick-drain";

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
 * One statement inserts the execution, the copied checkpoints and one `node` event per reused node
 * (`reused: true`), so nothing half-made is ever visible. The execution is inserted already counted as claimed once (`claims = 1`): its first real claim
 * is then a resume, which loads the copied checkpoints instead of assuming a fresh run.
 */
export async function rerunExecution(
  database: Database,
  sourceId: string,
  body: unknown,
): Promise<RerunAnswer> {
  const { db } = database;
  const request = parseOrThrow(RerunRequest, body);
  const [[source], sourceRuns] = await Promise.all([
    db.select().from(executions).where(eq(executions.id, sourceId)).limit(1),
    query<{ node_id: string; status: NodeStatus }>(
      db,
      sql`select node_id, status from node_runs where execution_id = ${sourceId}`,
    ),
  ]);
  if (!source) throw notFound(`execution "${sourceId}"`);
  if (source.nodeId) {
    throw new AppError(409, "invalid_state", "a single-node run cannot be re-run; run the node again");
  }
  if (!isTerminal(source.status)) {
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

  // One statement (atomic, one round trip): the execution, the copied checkpoints and the events
  // announcing them, numbered 1..n, so a live client draws the reused nodes before the runner starts.
  const id = randomUUID();
  const at = new Date().toISOString();
  const reuseJson = JSON.stringify(plan.reuse);
  const definitionSql =
    request.version === "latest" ? sql`${JSON.stringify(definition)}::jsonb` : sql`s.definition`;
  await db.execute(
    sql`with ins as (
        insert into executions (id, workflow_id, workflow_version, source_execution_id, status, mode, requested_mode,
          trigger_id, definition, inputs, priority, tags, timeout_ms, claims, event_seq)
        select ${id}, s.workflow_id, ${workflowVersion}::int, s.id, 'queued', 'queued', 'queued', ${plan.triggerId},
          ${definitionSql}, s.inputs, s.priority, s.tags, s.timeout_ms, 1, ${plan.reuse.length}::int
        from executions s where s.id = ${sourceId}
        returning id
      ),
      reuse as (
        select r.node_id, r.i from jsonb_array_elements_text(${reuseJson}::jsonb) with ordinality as r(node_id, i)
      ),
      runs as (
        insert into node_runs (execution_id, node_id, status, attempts, input, output, error, cached, reused,
          started_at, finished_at, duration_ms, updated_at)
        select ins.id, n.node_id, n.status, n.attempts, n.input, n.output, n.error, n.cached, true,
          n.started_at, n.finished_at, n.duration_ms, now()
        from ins, node_runs n
        where n.execution_id = ${sourceId} and n.node_id in (select node_id from reuse)
        returning node_id, status
      )
      insert into execution_events (execution_id, seq, type, payload)
      select ins.id, reuse.i, 'node', jsonb_build_object('nodeId', reuse.node_id, 'status', runs.status,
        'attempt', 0, 'at', ${at}::text, 'reused', true)
      from ins, reuse join runs on runs.node_id = reuse.node_id`,
  );
  // This process starts on it at once; the NOTIFY is for drainers elsewhere (worker, other servers).
  kickDrain(database);
  await notifyQueue(db);
  return {
    executionId: id,
    sourceExecutionId: source.id,
    status: "queued",
    workflowVersion,
    reused: plan.reuse,
    rerun: plan.run,
  };
}
