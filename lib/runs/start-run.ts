import "server-only";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { AppError, parseOrThrow } from "@/lib/api/errors";
import type { RunAnswer } from "@/lib/contract/execution";
import { type ExecutionStatus, isTerminal } from "@/lib/contract/status";
import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/connection-errors";
import { type ExecutionRow, executions } from "@/lib/db/schema";
import { estimateComplexity } from "@/lib/engine/complexity";
import { getEnv } from "@/lib/env";
import { TRIGGER_TYPES } from "@/lib/nodes/registry";
import { type ClaimedExecution, toClaimed } from "@/lib/queue/claim-executions";
import { claimedOnInsert, enqueueExecution, insertImmediateExecution } from "@/lib/queue/enqueue-execution";
import { notifyQueue } from "@/lib/queue/notify-queue";
import { storedIdempotencyKey } from "@/lib/security/idempotency-key";
import { createRedactor } from "@/lib/security/redact";
import { loadSecrets } from "@/lib/security/secrets";
import { normalizeTraceparent } from "@/lib/telemetry/trace-context";
import { pickTrigger } from "@/lib/workflow/graph";
import { LlmBudget, RunMode } from "@/lib/workflow/schema";
import { getWorkflowOrThrow } from "@/lib/workflow-store/service";
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
  /** The execution's id, chosen by the client (a UUID) so it can follow the run before the answer. */
  executionId: z.uuid().optional(),
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
  body: RunAnswer;
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
  context: { traceparent?: string | null } = {},
): Promise<StartRunResult> {
  const { db } = database;
  const request = parseOrThrow(RunRequest, body);
  const env = getEnv();
  if (request.mode === "immediate" && inflight.count < env.MAX_INFLIGHT_IMMEDIATE) {
    // The common API call: no mode to pick, so the workflow is read by the insert itself.
    inflight.count++;
    try {
      const answer = await startImmediateRun(database, workflowId, request, context);
      if (answer) return answer;
    } finally {
      inflight.count--;
    }
  }
  const workflow = await getWorkflowOrThrow(db, workflowId);
  const definition = workflow.definition;
  const trigger = pickTrigger(definition, request.triggerId);
  if (!trigger) throw unknownTrigger(request.triggerId);

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
  let reason: string | undefined;
  if (mode === "immediate" && inflight.count >= env.MAX_INFLIGHT_IMMEDIATE) {
    mode = "queued";
    reason = `this server already runs ${inflight.count} immediate runs (MAX_INFLIGHT_IMMEDIATE=${env.MAX_INFLIGHT_IMMEDIATE}); the run was queued`;
  }

  // A slot is taken before the first await, so concurrent requests cannot all slip past the bound.
  const holdsSlot = mode === "immediate";
  if (holdsSlot) inflight.count++;
  try {
    return await enqueueAndRun(database, {
      workflowId,
      workflow,
      request,
      triggerId: trigger.id,
      mode,
      requestedMode,
      complexity,
      reason,
      traceContext: normalizeTraceparent(context.traceparent),
    });
  } finally {
    if (holdsSlot) inflight.count--;
  }
}

interface RunPlan {
  workflowId: string;
  workflow: Awaited<ReturnType<typeof getWorkflowOrThrow>>;
  request: RunRequest;
  triggerId: string;
  mode: "immediate" | "queued";
  requestedMode: RunMode;
  complexity: { score: number; reasons: string[] } | undefined;
  reason: string | undefined;
  /** The request's W3C `traceparent`: the parent of the execution's trace. */
  traceContext: string | null;
}

/** Inserts the execution and, when immediate, runs it within the budget. */
async function enqueueAndRun(database: Database, plan: RunPlan): Promise<StartRunResult> {
  const { db } = database;
  const { workflowId, workflow, request, mode, requestedMode, complexity, reason } = plan;
  const definition = workflow.definition;
  const env = getEnv();
  const owner = createOwnerName("request");
  // Inputs, tags and the idempotency key are stored and shown redacted, like node outputs: the run
  // sees what is stored. A key holding a secret is stored hashed, so a retry still finds its run.
  const redact = createRedactor(Object.values(await loadSecrets(database)));
  const base = {
    id: request.executionId ?? randomUUID(),
    workflowId,
    workflowVersion: workflow.version,
    mode,
    requestedMode,
    triggerId: plan.triggerId,
    definition,
    inputs: redact(request.inputs ?? {}),
    complexity: complexity ?? null,
    priority: request.priority ?? 0,
    tags: redact(request.tags ?? []),
    timeoutMs: request.timeoutMs ?? null,
    idempotencyKey:
      request.idempotencyKey === undefined ? null : storedIdempotencyKey(request.idempotencyKey, redact),
    budget: request.budget ?? null,
    traceContext: plan.traceContext,
  };
  const immediate = mode === "immediate";
  const { row, created } = await enqueueExecution(
    db,
    immediate
      ? { ...base, ...claimedOnInsert(owner, env.EXECUTION_LEASE_MS) }
      : { ...base, status: "queued" },
  ).catch((err: unknown) => {
    throw duplicateIdOr(request, err);
  });
  if (!created) return answerExisting(row);
  const extra = { ...(complexity ? { complexity } : {}), ...(reason ? { reason } : {}) };

  if (!immediate) {
    await notifyQueue(db);
    kickDrain(database);
    return { httpStatus: 202, body: { executionId: row.id, status: "queued", mode, ...extra } };
  }

  return runImmediate(database, claimOf(row), mode, extra);
}

function unknownTrigger(triggerId: string | undefined): AppError {
  const message = `no trigger "${triggerId}" in this workflow`;
  return new AppError(422, "invalid_request", `triggerId: ${message}`, [
    { path: "triggerId", code: "unknown_trigger", message },
  ]);
}

/**
 * An explicitly immediate run: the execution is inserted, claimed, with the workflow's current
 * version and definition read by the same statement (`insertImmediateExecution`), then run.
 * Undefined when nothing was inserted (no such workflow, or the idempotency key was used):
 * `startRun`'s ordinary path answers those.
 */
async function startImmediateRun(
  database: Database,
  workflowId: string,
  request: RunRequest,
  context: { traceparent?: string | null },
): Promise<StartRunResult | undefined> {
  const env = getEnv();
  const redact = createRedactor(Object.values(await loadSecrets(database)));
  const claim = await insertImmediateExecution(database.db, {
    id: request.executionId ?? randomUUID(),
    workflowId,
    requestedMode: "immediate",
    triggerId: request.triggerId,
    triggerTypes: TRIGGER_TYPES,
    inputs: redact(request.inputs ?? {}),
    priority: request.priority ?? 0,
    tags: redact(request.tags ?? []),
    timeoutMs: request.timeoutMs ?? null,
    idempotencyKey:
      request.idempotencyKey === undefined ? null : storedIdempotencyKey(request.idempotencyKey, redact),
    budget: request.budget ?? null,
    leaseOwner: createOwnerName("request"),
    leaseMs: env.EXECUTION_LEASE_MS,
    traceContext: normalizeTraceparent(context.traceparent),
  }).catch((err: unknown) => {
    throw duplicateIdOr(request, err);
  });
  if (!claim) return undefined;
  const trigger = pickTrigger(claim.definition, request.triggerId);
  if (!trigger || trigger.id !== claim.triggerId) {
    await database.db.delete(executions).where(eq(executions.id, claim.id));
    throw unknownTrigger(request.triggerId);
  }
  return runImmediate(database, claim, "immediate", {});
}

function duplicateIdOr(request: RunRequest, err: unknown): unknown {
  if (request.executionId !== undefined && isUniqueViolation(err)) {
    return new AppError(409, "conflict", `executionId: an execution ${request.executionId} exists already`, [
      { path: "executionId", code: "duplicate_id", message: "an execution with this id exists already" },
    ]);
  }
  return err;
}

/** Runs an execution this request inserted already claimed, within IMMEDIATE_BUDGET_MS. */
async function runImmediate(
  database: Database,
  claim: ClaimedExecution,
  mode: "immediate" | "queued",
  extra: { complexity?: { score: number; reasons: string[] }; reason?: string },
): Promise<StartRunResult> {
  const { db } = database;
  const env = getEnv();
  const started = Date.now();
  const budget = env.IMMEDIATE_BUDGET_MS;
  const result = await runExecution(database, claim, {
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
      body: { executionId: claim.id, status: "queued", mode, handedOff: true, ...extra },
    };
  }
  const answer: StartRunResult["body"] = {
    executionId: claim.id,
    status: result.status,
    mode,
    outputs: result.outputs ?? {},
    nodes: result.nodes ?? {},
    ...extra,
  };
  if (result.error) answer.error = result.error;
  return { httpStatus: result.status === "paused" || result.status === "waiting" ? 202 : 200, body: answer };
}

/** Immediate runs this process is running now (bounded by MAX_INFLIGHT_IMMEDIATE). */
const inflightHolder = globalThis as { __braidInflightImmediate?: { count: number } };
inflightHolder.__braidInflightImmediate ??= { count: 0 };
const inflight = inflightHolder.__braidInflightImmediate;

/** How many immediate runs this process is running now. */
export function inflightImmediateRuns(): number {
  return inflight.count;
}

/** The claim a runner holds on an execution row it inserted already claimed (fence 1). */
export function claimOf(row: ExecutionRow): ClaimedExecution {
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
    mode: row.mode,
    trace_context: row.traceContext,
  });
}

function answerExisting(row: ExecutionRow): StartRunResult {
  const status = row.status as ExecutionStatus;
  const terminal = isTerminal(status);
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
