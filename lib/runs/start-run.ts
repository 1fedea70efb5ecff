import "server-only";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { AppError, parseOrThrow } from "@/lib/api/errors";
import type { Database } from "@/lib/db/client";
import type { ExecutionRow } from "@/lib/db/schema";
import { estimateComplexity } from "@/lib/engine/complexity";
import type { ExecutionStatus, NodeCheckpoint } from "@/lib/engine/ports";
import { getEnv } from "@/lib/env";
import { type ClaimedExecution, toClaimed } from "@/lib/queue/claim-executions";
import { enqueueExecution } from "@/lib/queue/enqueue-execution";
import { notifyQueue } from "@/lib/queue/notify-queue";
import { pickTrigger } from "@/lib/workflow/graph";
import { LlmBudget, RunMode } from "@/lib/workflow/schema";
import { getWorkflowOrThrow } from "@/lib/workflows/service";
import { createOwnerName } from "./drain";
import { kickDrain } from "./kick-drain";
import { pastDurations } from "./past-durations";
import { runExecution } from "./run-execution";

/** The body of `POST /api/workflows/:id/run`. */
export const RunRequest = z.strictObject({
  inputs: z.record(z.string(), z.unknown()).optional(),
  mode: RunMode.optional(),
  triggerId: z.string().min(1).max(64).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  priority: z.int().min(-1_000_000).max(1_000_000).optional(),
  tags: z.array(z.string().min(1).max(100)).max(50).optional(),
  timeoutMs: z
    .int()
    .min(1)
    .max(7 * 86_400_000)
    .optional(),
  budget: LlmBudget.optional(),
});
export type RunRequest = z.infer<typeof RunRequest>;

/** The answer to a run request and its HTTP status (200 finished, 202 queued or still going). */
export interface StartRunResult {
  httpStatus: 200 | 202;
  body: {
    executionId: string;
    status: ExecutionStatus;
    mode: "immediate" | "queued";
    outputs?: Record<string, unknown>;
    error?: unknown;
    nodes?: Record<string, NodeCheckpoint>;
    handedOff?: boolean;
    complexity?: { score: number; reasons: string[] };
    /** Set when the idempotency key matched an earlier execution, which is the one answered. */
    deduplicated?: boolean;
  };
}

/**
 * Starts a run of a stored workflow (SPEC §3 `POST /api/workflows/:id/run`).
 *
 * `immediate` runs in this call under IMMEDIATE_BUDGET_MS, as a runner holding the lease of an
 * execution it inserted already claimed; past the budget it hands the rest to the queue. `queued`
 * inserts a queued execution and kicks a drain. `auto` lets the engine's complexity estimate pick.
 * An idempotency key already used for this workflow answers that execution, never a new one.
 */
export async function startRun(
  database: Database,
  workflowId: string,
  body: unknown,
): Promise<StartRunResult> {
  const { db } = database;
  const request = parseOrThrow(RunRequest, body);
  const workflow = await getWorkflowOrThrow(db, workflowId);
  const definition = workflow.definition;
  const trigger = pickTrigger(definition, request.triggerId);
  if (!trigger) {
    const message = `no trigger "${request.triggerId}" in this workflow`;
    throw new AppError(422, "invalid_request", `triggerId: ${message}`, [
      { path: "triggerId", code: "unknown_trigger", message },
    ]);
  }
  const env = getEnv();

  let mode: "immediate" | "queued";
  let complexity: { score: number; reasons: string[] } | undefined;
  const requestedMode = request.mode ?? definition.settings?.mode ?? "auto";
  if (requestedMode === "auto") {
    const estimate = estimateComplexity(definition, {
      triggerId: trigger.id,
      pastDurationsMs: await pastDurations(db, workflowId),
      budgetMs: env.IMMEDIATE_BUDGET_MS,
    });
    mode = estimate.suggestedMode;
    complexity = { score: estimate.score, reasons: estimate.reasons };
  } else {
    mode = requestedMode;
  }

  const owner = createOwnerName("request");
  const base = {
    id: randomUUID(),
    workflowId,
    workflowVersion: workflow.version,
    mode,
    requestedMode,
    triggerId: trigger.id,
    definition,
    inputs: request.inputs ?? {},
    complexity: complexity ?? null,
    priority: request.priority ?? 0,
    tags: request.tags ?? [],
    timeoutMs: request.timeoutMs ?? null,
    idempotencyKey: request.idempotencyKey ?? null,
    budget: request.budget ?? null,
  };
  const immediate = mode === "immediate";
  const { row, created } = await enqueueExecution(
    db,
    immediate
      ? {
          ...base,
          status: "running",
          fence: 1,
          claims: 1,
          leaseOwner: owner,
          leaseExpiresAt:
            sql`now() + ${env.EXECUTION_LEASE_MS} * interval '1 millisecond'` as unknown as Date,
          startedAt: sql`now()` as unknown as Date,
        }
      : { ...base, status: "queued" },
  );
  if (!created) return answerExisting(row);
  const extra = complexity ? { complexity } : {};

  if (!immediate) {
    await notifyQueue(db);
    kickDrain(database);
    return { httpStatus: 202, body: { executionId: row.id, status: "queued", mode, ...extra } };
  }

  const started = Date.now();
  const budget = env.IMMEDIATE_BUDGET_MS;
  const result = await runExecution(database, claimOf(row), {
    leaseMs: env.EXECUTION_LEASE_MS,
    deadline: started + budget,
    hardDeadline: started + budget + Math.max(1000, budget / 2),
    immediate: true,
  });
  if (result.status === "queued" || result.status === "lost") {
    await notifyQueue(db);
    kickDrain(database);
    return {
      httpStatus: 202,
      body: { executionId: row.id, status: "queued", mode, handedOff: true, ...extra },
    };
  }
  const answer: StartRunResult["body"] = {
    executionId: row.id,
    status: result.status,
    mode,
    outputs: result.outputs ?? {},
    nodes: result.nodes ?? {},
    ...extra,
  };
  if (result.error) answer.error = result.error;
  return { httpStatus: result.status === "paused" ? 202 : 200, body: answer };
}

function claimOf(row: ExecutionRow): ClaimedExecution {
  return toClaimed({
    id: row.id,
    workflow_id: row.workflowId,
    fence: row.fence,
    claims: row.claims,
    definition: row.definition,
    inputs: row.inputs as Record<string, unknown>,
    trigger_id: row.triggerId,
    node_id: row.nodeId,
    timeout_ms: row.timeoutMs,
    control: row.control as ClaimedExecution["control"],
    started_at_ms: row.startedAt?.getTime() ?? Date.now(),
    run_ms: row.runMs,
  });
}

function answerExisting(row: ExecutionRow): StartRunResult {
  const status = row.status as ExecutionStatus;
  const terminal = status === "succeeded" || status === "failed" || status === "cancelled";
  const body: StartRunResult["body"] = {
    executionId: row.id,
    status,
    mode: row.mode as "immediate" | "queued",
    deduplicated: true,
  };
  if (terminal) body.outputs = (row.outputs as Record<string, unknown> | null) ?? {};
  if (row.handedOff) body.handedOff = true;
  return { httpStatus: terminal ? 200 : 202, body };
}
