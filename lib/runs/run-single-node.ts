import "server-only";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { AppError, notFound, parseOrThrow } from "@/lib/api/errors";
import type { SingleNodeAnswer } from "@/lib/contract/execution";
import { type Database, type Db, query } from "@/lib/db/client";
import type { EngineEvent, NodeCheckpoint, NodeStatus } from "@/lib/engine/ports";
import type { RunOutcome } from "@/lib/engine/run-workflow";
import { runSingleNode } from "@/lib/engine/single-node";
import { getEnv } from "@/lib/env";
import { enqueueExecution } from "@/lib/queue/enqueue-execution";
import { capOutputSize } from "@/lib/security/limits";
import { createRedactor } from "@/lib/security/redact";
import { loadSecrets } from "@/lib/security/secrets";
import { enclosingLoops, iterationKey, parseIterationKey } from "@/lib/workflow/bodies";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { getWorkflowOrThrow } from "@/lib/workflow-store/service";
import { createOwnerName } from "./drain";
import { runClaimed } from "./run-execution";
import { claimOf } from "./start-run";

/** The body of `POST /api/workflows/:id/nodes/:nodeId/run`. */
export const SingleNodeRunRequest = z.strictObject({
  input: z.unknown().optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  /**
   * A loop body node: which item to run it for, as the item index path (`[3]`, `[3, 0]` nested;
   * default: the first item at every level). Without `input`, the node gets that item's input
   * from the latest run that reached it.
   */
  iteration: z.array(z.int().min(0).max(1_000_000)).min(1).max(3).optional(),
  /** A loop body node: the item (`item`, `$item`); default: that iteration's item in the latest run. */
  item: z.unknown().optional(),
});

/** SPEC §3 single-node answer, plus the execution that records it. */
export type SingleNodeRunResult = SingleNodeAnswer;

/** What the node's upstream nodes produced in their latest runs. */
export interface UpstreamContext {
  input: unknown;
  inputs: Record<string, unknown>;
  /** The upstream nodes' latest outputs by id (`nodes.<id>` in expressions, merge's sources). */
  nodes: Record<string, unknown>;
}

/**
 * The input a node would get from its upstream nodes, each at its latest run (in a whole
 * execution or a single-node run): the output itself with a single upstream node, else an object
 * keyed by the upstream ids that have one. Undefined when none of them ever produced an output.
 */
export async function latestUpstream(
  db: Db,
  workflowId: string,
  upstream: string[],
): Promise<UpstreamContext | undefined> {
  if (upstream.length === 0) return undefined;
  const rows = await query<{ node_id: string; output: unknown; inputs: Record<string, unknown>; at: string }>(
    db,
    sql`select distinct on (nr.node_id) nr.node_id, nr.output, e.inputs,
        to_char(coalesce(nr.finished_at, nr.updated_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as at
      from node_runs nr join executions e on e.id = nr.execution_id
      where e.workflow_id = ${workflowId} and nr.node_id in (${sql.join(
        upstream.map((id) => sql`${id}`),
        sql`, `,
      )}) and nr.status in ('succeeded', 'failed') and nr.output is not null
      order by nr.node_id, coalesce(nr.finished_at, nr.updated_at) desc`,
  );
  const present = rows.filter((r) => upstream.includes(r.node_id));
  if (present.length === 0) return undefined;
  const nodes = Object.fromEntries(present.map((r) => [r.node_id, r.output]));
  const newest = present.reduce((a, b) => (b.at > a.at ? b : a));
  const input = upstream.length === 1 ? nodes[upstream[0]!] : nodes;
  return { input, inputs: newest.inputs ?? {}, nodes };
}

/**
 * What a loop body node saw for one item in the latest execution that reached it: its input, the
 * item (an entry node's input in the same item), the run's inputs, and `nodes` (the top-level
 * nodes and the same item's body nodes).
 */
async function latestIteration(
  db: Db,
  workflowId: string,
  definition: WorkflowDefinition,
  nodeId: string,
  iteration: number[],
): Promise<(UpstreamContext & { item: unknown }) | undefined> {
  const key = iterationKey(nodeId, iteration);
  const [hit] = await query<{ execution_id: string; input: unknown; inputs: Record<string, unknown> }>(
    db,
    sql`select nr.execution_id, nr.input, e.inputs from node_runs nr join executions e on e.id = nr.execution_id
      where e.workflow_id = ${workflowId} and nr.node_id = ${key} and nr.input is not null
      order by nr.updated_at desc limit 1`,
  );
  if (!hit) return undefined;
  const suffix = `#${iteration.join(".")}`;
  const rows = await query<{ node_id: string; input: unknown; output: unknown }>(
    db,
    sql`select node_id, input, output from node_runs where execution_id = ${hit.execution_id}
      and (strpos(node_id, '#') = 0 or right(node_id, ${suffix.length}) = ${suffix})`,
  );
  const body = definition.nodes.filter(
    (n) => n.parentId === definition.nodes.find((x) => x.id === nodeId)?.parentId,
  );
  const entries = new Set(
    body
      .filter((n) => !definition.edges.some((e) => e.target === n.id))
      .map((n) => iterationKey(n.id, iteration)),
  );
  const nodes: Record<string, unknown> = {};
  let item: unknown;
  for (const r of rows) {
    const parsed = parseIterationKey(r.node_id);
    if (parsed.iteration && parsed.iteration.join(".") !== iteration.join(".")) continue;
    if (r.output !== null) nodes[parsed.nodeId] = r.output;
    if (entries.has(r.node_id)) item = r.input;
  }
  return { input: hit.input, inputs: hit.inputs ?? {}, nodes, item };
}

/**
 * Runs one node of a stored workflow on its own (SPEC §3). The input is the one given, else what
 * the node's upstream produced last (`latestUpstream`); with neither, a 422 says so. The run is
 * kept as an execution with `node_id` set, so it shows in history and serves as that node's last
 * run for the nodes after it.
 */
export async function runNodeOfWorkflow(
  database: Database,
  workflowId: string,
  nodeId: string,
  body: unknown,
): Promise<SingleNodeRunResult> {
  const { db } = database;
  const request = parseOrThrow(SingleNodeRunRequest, body);
  const workflow = await getWorkflowOrThrow(db, workflowId);
  const definition = workflow.definition;
  const node = definition.nodes.find((n) => n.id === nodeId);
  if (!node) throw notFound(`node "${nodeId}" in workflow "${workflowId}"`);
  const upstream = [...new Set(definition.edges.filter((e) => e.target === nodeId).map((e) => e.source))];

  let input = request.input;
  let inputs = request.inputs;
  let nodes: Record<string, unknown> | undefined;
  let item = request.item;
  let iteration: number[] | undefined;
  if (node.parentId !== undefined) {
    iteration = request.iteration ?? new Array(enclosingLoops(definition.nodes, nodeId)).fill(0);
    const last = await latestIteration(db, workflowId, definition, nodeId, iteration);
    if (input === undefined) {
      if (!last) {
        throw new AppError(
          422,
          "no_input",
          `node "${nodeId}" has no input for item ${iteration.join(".")}: no run reached it; run the workflow first or give "input"`,
          [{ path: "input", code: "required", message: "required: no run reached this item" }],
        );
      }
      input = last.input;
    }
    item ??= last?.item ?? (upstream.length === 0 ? input : undefined);
    inputs ??= last?.inputs;
    nodes = last?.nodes;
  } else if (input === undefined && upstream.length > 0) {
    const last = await latestUpstream(db, workflowId, upstream);
    if (!last) {
      throw new AppError(
        422,
        "no_input",
        `node "${nodeId}" has no input: its upstream nodes (${upstream.join(", ")}) never ran; run the workflow first or give "input"`,
        [{ path: "input", code: "required", message: "required: the upstream nodes never ran" }],
      );
    }
    input = last.input;
    inputs ??= last.inputs;
    nodes = last.nodes;
  }
  // The given input and inputs are stored and shown redacted, like a whole run's inputs: the node
  // sees what is stored (upstream outputs and inputs come from storage, redacted already).
  const redact = createRedactor(Object.values(await loadSecrets(database)));
  if (request.input !== undefined) input = redact(input);
  // A loop body node's item: given, or the given input standing in for it.
  if (request.item !== undefined || request.input !== undefined) item = redact(item);
  inputs = redact(inputs ?? {});

  const env = getEnv();
  const id = randomUUID();
  const { row } = await enqueueExecution(db, {
    id,
    workflowId,
    workflowVersion: workflow.version,
    status: "running",
    mode: "immediate",
    requestedMode: "immediate",
    nodeId,
    definition,
    inputs,
    fence: 1,
    claims: 1,
    leaseOwner: createOwnerName("node"),
    leaseExpiresAt: sql`now() + ${env.EXECUTION_LEASE_MS} * interval '1 millisecond'` as unknown as Date,
    startedAt: sql`now()` as unknown as Date,
  });

  // The in-request budget: past it (plus a grace of half of it, at least a second) the node is
  // interrupted and the run fails with code `budget`; a single node cannot be handed to the queue
  // because its input and upstream context live in this request only.
  const budgetMs = env.IMMEDIATE_BUDGET_MS;
  const hardMs = budgetMs + Math.max(1000, budgetMs / 2);
  let answer: SingleNodeRunResult | undefined;
  const logs: SingleNodeRunResult["logs"] = [];
  const outcome = await runClaimed(
    database,
    claimOf(row),
    { leaseMs: env.EXECUTION_LEASE_MS, immediate: true },
    async ({ ports, signal }): Promise<RunOutcome> => {
      const budget = new AbortController();
      const timer = setTimeout(
        () => budget.abort(new Error(`the node ran past the in-request budget (${hardMs} ms)`)),
        hardMs,
      );
      const startedAt = new Date();
      // The node's log lines (retries, warnings, a code node's console) also go into the answer.
      const collecting = {
        ...ports,
        events: {
          emit(event: EngineEvent) {
            if (event.type === "log") logs.push({ at: event.at, level: event.level, message: event.message });
            return ports.events.emit(event);
          },
        },
      };
      let result: Awaited<ReturnType<typeof runSingleNode>>;
      try {
        result = await runSingleNode({
          definition,
          nodeId,
          input,
          inputs,
          nodes,
          ...(iteration ? { item, index: iteration[iteration.length - 1]! } : {}),
          ports: collecting,
          signal: AbortSignal.any([signal, budget.signal]),
          secrets: ports.secrets,
        });
      } catch (err) {
        result = {
          status: "failed",
          output: undefined,
          error: { message: err instanceof Error ? err.message : String(err), code: "engine" },
          durationMs: Date.now() - startedAt.getTime(),
          cached: false,
          attempts: 1,
        };
      } finally {
        clearTimeout(timer);
      }
      if (budget.signal.aborted && result.status === "failed" && !signal.aborted) {
        result.error = { code: "budget", message: `the node ran past the in-request budget (${hardMs} ms)` };
      }
      const output = ports.redact(result.output ?? null);
      const error = result.error ? ports.redact(result.error) : null;
      const status = result.status as NodeStatus;
      const checkpoint: NodeCheckpoint = {
        nodeId,
        status,
        attempts: result.attempts,
        input: ports.redact(input),
        output,
        error: error ?? undefined,
        cached: result.cached,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: result.durationMs,
      };
      await ports.journal.save(checkpoint);
      answer = {
        nodeId,
        executionId: id,
        status,
        output: capOutputSize(output),
        error,
        durationMs: result.durationMs,
        cached: result.cached,
        logs: logs.map((l) => ports.redact(l)),
      };
      return {
        status: status === "succeeded" ? "succeeded" : "failed",
        outputs: status === "succeeded" ? { [nodeId]: output } : {},
        ...(error ? { error: { ...error, nodeId } } : {}),
        nodes: { [nodeId]: checkpoint },
      };
    },
  );
  if (!answer || outcome.status === "lost") {
    throw new AppError(409, "conflict", `execution ${id} was taken over by another runner`);
  }
  return answer;
}
