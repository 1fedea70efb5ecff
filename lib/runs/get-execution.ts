import "server-only";
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type {
  ExecutionDetail as ContractExecutionDetail,
  ExecutionLog,
  ExecutionNodeDetail,
  ExecutionSummary,
} from "@/lib/contract/execution";
import { type ExecutionStatus, isFinishedNode, type NodeStatus } from "@/lib/contract/status";
import type { Db } from "@/lib/db/client";
import { type ExecutionRow, executionEvents, executions, type NodeRunRow, nodeRuns } from "@/lib/db/schema";
import { llmTotalsOf } from "@/lib/llm/budget";
import { idempotencyKeyForms } from "@/lib/security/idempotency-key";
import { isIterationKey, parseIterationKey } from "@/lib/workflow/bodies";
import { pickTrigger, reachableFrom } from "@/lib/workflow/graph";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { waitLinks, waitTokenKey } from "./waits";

export type { ExecutionLog, ExecutionNodeDetail, ExecutionSummary };

/** The SPEC §3 `GET /api/executions/:id` body, with the definition that ran. */
export type ExecutionDetail = ContractExecutionDetail<WorkflowDefinition>;

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

function durationOf(start: Date | null, end: Date | null): number | null {
  return start && end ? Math.max(0, end.getTime() - start.getTime()) : null;
}

/** Ids of the nodes that take part in an execution: the reachable set, or the one node of a single-node run. */
export function participatingNodes(
  definition: WorkflowDefinition,
  options: { triggerId?: string | null; nodeId?: string | null },
): string[] {
  if (options.nodeId) return [options.nodeId];
  const trigger = pickTrigger(definition, options.triggerId ?? undefined);
  if (!trigger) return [];
  const reachable = reachableFrom(definition, trigger.id);
  return definition.nodes.filter((n) => reachable.has(n.id)).map((n) => n.id);
}

function nodeDetail(row: NodeRunRow | undefined): ExecutionNodeDetail {
  if (!row) {
    return {
      status: "pending",
      attempts: 0,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      output: null,
      error: null,
      cached: false,
      input: null,
    };
  }
  const detail: ExecutionNodeDetail = {
    status: row.status as NodeStatus,
    attempts: row.attempts,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    durationMs: row.durationMs ?? durationOf(row.startedAt, row.finishedAt),
    output: row.output ?? null,
    error: row.error ?? null,
    cached: row.cached,
    input: row.input ?? null,
    ...nodeCost(row.output),
  };
  if (row.reused) detail.reused = true;
  if (row.status === "waiting") {
    const info = row.output as { for?: unknown; until?: unknown; key?: unknown } | null;
    if (info && typeof info.for === "string") {
      detail.waiting = { for: info.for };
      if (typeof info.until === "string") detail.waiting.until = info.until;
      if (typeof info.key === "string") detail.waiting.key = info.key;
    }
  }
  return detail;
}

/** An LLM node's `costUsd`/`savedUsd`, read from its output. */
function nodeCost(output: unknown): Pick<ExecutionNodeDetail, "costUsd" | "savedUsd"> {
  if (!output || typeof output !== "object") return {};
  const o = output as { costUsd?: unknown; savedUsd?: unknown };
  const cost: Pick<ExecutionNodeDetail, "costUsd" | "savedUsd"> = {};
  if (typeof o.costUsd === "number" || o.costUsd === null) cost.costUsd = o.costUsd;
  if (typeof o.savedUsd === "number" || o.savedUsd === null) cost.savedUsd = o.savedUsd;
  return cost;
}

function logOf(payload: unknown, createdAt: Date): ExecutionLog {
  const p = (payload ?? {}) as Partial<ExecutionLog>;
  const log: ExecutionLog = {
    at: typeof p.at === "string" ? p.at : createdAt.toISOString(),
    level: p.level ?? "info",
    message: typeof p.message === "string" ? p.message : "",
  };
  if (typeof p.nodeId === "string") log.nodeId = p.nodeId;
  return log;
}

/** Builds the detail of an execution from its row, node runs and log events. */
export function toExecutionDetail(
  row: ExecutionRow,
  runs: NodeRunRow[],
  logs: { payload: unknown; createdAt: Date }[],
): ExecutionDetail {
  const byNode = new Map(runs.map((r) => [r.nodeId, r]));
  const nodes: Record<string, ExecutionNodeDetail> = {};
  const ids = participatingNodes(row.definition, { triggerId: row.triggerId, nodeId: row.nodeId });
  for (const id of ids) nodes[id] = nodeDetail(byNode.get(id));
  for (const r of runs)
    if (!(r.nodeId in nodes) && !isIterationKey(r.nodeId)) nodes[r.nodeId] = nodeDetail(r);
  for (const [loopId, failed] of failedItemsByLoop(row.definition, runs)) {
    if (nodes[loopId]) nodes[loopId].failedItems = failed;
  }
  const finished = Object.values(nodes).filter((n) => isFinishedNode(n.status)).length;
  const detail: ExecutionDetail = {
    id: row.id,
    workflowId: row.workflowId,
    workflowVersion: row.workflowVersion,
    status: row.status as ExecutionStatus,
    mode: row.mode as ExecutionDetail["mode"],
    inputs: row.inputs,
    outputs: (row.outputs as Record<string, unknown> | null) ?? null,
    error: row.error ?? null,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    durationMs: durationOf(row.startedAt, row.finishedAt),
    progress: { finished, total: Object.keys(nodes).length },
    tags: row.tags,
    triggerId: row.triggerId,
    nodeId: row.nodeId,
    handedOff: row.handedOff,
    nodes,
    logs: logs.map((l) => logOf(l.payload, l.createdAt)),
    definition: row.definition,
    eventSeq: row.eventSeq,
    cost: llmTotalsOf(row),
  };
  if (row.sourceExecutionId) detail.sourceExecutionId = row.sourceExecutionId;
  if (row.parentExecutionId) {
    detail.parentExecutionId = row.parentExecutionId;
    if (row.parentNodeId) detail.parentNodeId = row.parentNodeId;
  }
  return detail;
}

/**
 * Adds the resume links (`resumeUrl`, and `approvalUrl` for an approval) to the waiting nodes of
 * an execution's detail: for its signed-in owner only, never on a share link (the links are
 * credentials).
 */
export async function withWaitLinks(db: Db, detail: ExecutionDetail): Promise<ExecutionDetail> {
  const waitingNodes = Object.values(detail.nodes).filter((n) => n.waiting);
  if (waitingNodes.length === 0) return detail;
  const key = await waitTokenKey(db);
  for (const [nodeId, node] of Object.entries(detail.nodes)) {
    if (!node.waiting || (node.waiting.for !== "webhook" && node.waiting.for !== "approval")) continue;
    const links = waitLinks(key, detail.id, nodeId);
    node.waiting.resumeUrl = links.resumeUrl;
    if (node.waiting.for === "approval") node.waiting.approvalUrl = links.approvalUrl;
  }
  return detail;
}

const MAX_FAILED_ITEMS = 1000;

/** The failed items of each top-level loop, from its body nodes' per-item checkpoints. */
function failedItemsByLoop(definition: WorkflowDefinition, runs: NodeRunRow[]): Map<string, number[]> {
  const parentOf = new Map<string, string>();
  for (const n of definition.nodes) if (n.parentId !== undefined) parentOf.set(n.id, n.parentId);
  const out = new Map<string, Set<number>>();
  for (const r of runs) {
    if (r.status !== "failed" || !isIterationKey(r.nodeId)) continue;
    const { nodeId, iteration } = parseIterationKey(r.nodeId);
    // Walk up to the top-level loop: the first index of the path is that loop's item.
    let loop = parentOf.get(nodeId);
    while (loop !== undefined && parentOf.has(loop)) loop = parentOf.get(loop);
    if (loop === undefined || !iteration) continue;
    let set = out.get(loop);
    if (!set) {
      set = new Set();
      out.set(loop, set);
    }
    set.add(iteration[0]!);
  }
  return new Map(
    [...out].map(([loop, set]) => [loop, [...set].sort((a, b) => a - b).slice(0, MAX_FAILED_ITEMS)]),
  );
}

/** One item of a loop: the checkpoints of the body nodes that ran for iteration path `iteration`. */
export interface ExecutionIterationDetail {
  iteration: number[];
  nodes: Record<string, ExecutionNodeDetail>;
}

/**
 * The body nodes of one loop item (`GET /api/executions/:id/iterations/:path`): every node
 * checkpointed under that exact iteration path, whichever loop it belongs to. Undefined when the
 * execution does not exist.
 */
export async function getExecutionIteration(
  db: Db,
  id: string,
  iteration: number[],
): Promise<ExecutionIterationDetail | undefined> {
  const [row] = await db.select({ id: executions.id }).from(executions).where(eq(executions.id, id)).limit(1);
  if (!row) return undefined;
  const suffix = `#${iteration.join(".")}`;
  const runs = await db
    .select()
    .from(nodeRuns)
    .where(and(eq(nodeRuns.executionId, id), sql`right(${nodeRuns.nodeId}, ${suffix.length}) = ${suffix}`));
  const nodes: Record<string, ExecutionNodeDetail> = {};
  for (const r of runs) {
    const key = parseIterationKey(r.nodeId);
    if (key.iteration?.join(".") === iteration.join(".")) nodes[key.nodeId] = nodeDetail(r);
  }
  return { iteration, nodes };
}

/** The whole state of one execution (SPEC §3 `GET /api/executions/:id`), or undefined. */
/** An execution's detail (SPEC §3); `links` adds the waiting nodes' resume links (owner views only). */
export async function getExecutionDetail(
  db: Db,
  id: string,
  options: { links?: boolean } = {},
): Promise<ExecutionDetail | undefined> {
  const [row] = await db.select().from(executions).where(eq(executions.id, id)).limit(1);
  if (!row) return undefined;
  const [runs, logs] = await Promise.all([
    db.select().from(nodeRuns).where(eq(nodeRuns.executionId, id)),
    db
      .select({ payload: executionEvents.payload, createdAt: executionEvents.createdAt })
      .from(executionEvents)
      .where(and(eq(executionEvents.executionId, id), eq(executionEvents.type, "log")))
      .orderBy(asc(executionEvents.seq)),
  ]);
  const detail = toExecutionDetail(row, runs, logs);
  return options.links ? withWaitLinks(db, detail) : detail;
}

/**
 * A workflow's executions, newest first. `before` is the id of the last row of the previous page
 * (keyset pagination on created_at, id).
 */
export async function listExecutions(
  db: Db,
  workflowId: string,
  options: {
    limit?: number;
    before?: string;
    idempotencyKey?: string;
    /** Only executions that are not a sub-workflow's child. */
    topLevel?: boolean;
    /** Only executions of this status. */
    status?: string;
  } = {},
): Promise<ExecutionSummary[]> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const rows = await db
    .select({
      id: executions.id,
      status: executions.status,
      mode: executions.mode,
      startedAt: executions.startedAt,
      finishedAt: executions.finishedAt,
      nodeId: executions.nodeId,
      tags: executions.tags,
      createdAt: executions.createdAt,
      llmPromptTokens: executions.llmPromptTokens,
      llmCompletionTokens: executions.llmCompletionTokens,
      llmCostUsd: executions.llmCostUsd,
      llmSavedUsd: executions.llmSavedUsd,
    })
    .from(executions)
    .where(
      and(
        eq(executions.workflowId, workflowId),
        options.before
          ? sql`(${executions.createdAt}, ${executions.id}) < (select e.created_at, e.id from executions e where e.id = ${options.before})`
          : undefined,
        options.idempotencyKey !== undefined
          ? inArray(executions.idempotencyKey, idempotencyKeyForms(options.idempotencyKey))
          : undefined,
        options.topLevel ? isNull(executions.parentExecutionId) : undefined,
        options.status ? eq(executions.status, options.status) : undefined,
      ),
    )
    .orderBy(desc(executions.createdAt), desc(executions.id))
    .limit(limit);
  return rows.map((r) => {
    const summary: ExecutionSummary = {
      id: r.id,
      status: r.status as ExecutionStatus,
      mode: r.mode as ExecutionSummary["mode"],
      startedAt: iso(r.startedAt),
      finishedAt: iso(r.finishedAt),
      durationMs: durationOf(r.startedAt, r.finishedAt),
      tags: r.tags,
      createdAt: r.createdAt.toISOString(),
      cost: llmTotalsOf(r),
    };
    if (r.nodeId) summary.nodeId = r.nodeId;
    return summary;
  });
}
