import "server-only";
import { inArray } from "drizzle-orm";
import { AppError } from "@/lib/api/errors";
import type { Db } from "@/lib/db/client";
import { workflows } from "@/lib/db/schema";
import { isLiteralWorkflowId } from "@/lib/nodes/workflow/workflow-node";
import { pickTrigger } from "@/lib/workflow/graph";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

interface Call {
  index: number;
  workflowId: string;
  triggerId?: string;
}

/** The `workflow` nodes of a definition that name their workflow literally. */
function literalCalls(definition: WorkflowDefinition): Call[] {
  const calls: Call[] = [];
  definition.nodes.forEach((node, index) => {
    if (node.type !== "workflow") return;
    const config = node.config as { workflowId?: string; triggerId?: string };
    if (typeof config.workflowId !== "string" || !isLiteralWorkflowId(config.workflowId)) return;
    calls.push({ index, workflowId: config.workflowId.trim(), triggerId: config.triggerId });
  });
  return calls;
}

/** How many workflows a cycle check reads at most (a bound on a pathological graph). */
const MAX_VISITED = 2000;

/**
 * Checks the `workflow` nodes of a definition about to be saved as `selfId`: a literal workflow id
 * must exist and have the trigger named; and no chain of literal calls may lead back to `selfId`
 * (A calls B calls A). Throws a 422 naming the node's field, or the cycle's path. Computed ids
 * (`{{ … }}`) are checked at run time instead.
 */
export async function checkWorkflowCalls(db: Db, selfId: string | undefined, definition: WorkflowDefinition) {
  const calls = literalCalls(definition);
  if (calls.length === 0) return;
  const names = new Map<string, string>();
  const defs = new Map<string, WorkflowDefinition>();
  const load = async (ids: string[]) => {
    const wanted = ids.filter((id) => !defs.has(id) && id !== selfId);
    if (wanted.length === 0) return;
    const rows = await db
      .select({ id: workflows.id, name: workflows.name, definition: workflows.definition })
      .from(workflows)
      .where(inArray(workflows.id, wanted));
    for (const r of rows) {
      defs.set(r.id, r.definition);
      names.set(r.id, r.name);
    }
  };
  await load(calls.map((c) => c.workflowId));
  for (const call of calls) {
    const path = `nodes[${call.index}].config`;
    if (call.workflowId === "") {
      throw new AppError(422, "invalid_workflow", `${path}.workflowId: choose the workflow to run`, [
        { path: `${path}.workflowId`, code: "required", message: "choose the workflow to run" },
      ]);
    }
    if (call.workflowId === selfId) {
      throw new AppError(422, "invalid_workflow", `${path}.workflowId: a workflow cannot call itself`, [
        { path: `${path}.workflowId`, code: "workflow_cycle", message: "a workflow cannot call itself" },
      ]);
    }
    const target = defs.get(call.workflowId);
    if (!target) {
      const message = `workflow "${call.workflowId}" does not exist`;
      throw new AppError(422, "invalid_workflow", `${path}.workflowId: ${message}`, [
        { path: `${path}.workflowId`, code: "unknown_workflow", message },
      ]);
    }
    if (!pickTrigger(target, call.triggerId)) {
      const message =
        call.triggerId === undefined
          ? `workflow "${call.workflowId}" has no trigger`
          : `workflow "${call.workflowId}" has no trigger "${call.triggerId}"`;
      const field = call.triggerId === undefined ? "workflowId" : "triggerId";
      throw new AppError(422, "invalid_workflow", `${path}.${field}: ${message}`, [
        { path: `${path}.${field}`, code: "unknown_trigger", message },
      ]);
    }
  }
  if (selfId === undefined) return;
  // Breadth-first over literal calls from the callees; a path back to selfId is a cycle.
  const via = new Map<string, string | undefined>();
  let frontier = [...new Set(calls.map((c) => c.workflowId))];
  for (const id of frontier) via.set(id, undefined);
  while (frontier.length > 0 && via.size < MAX_VISITED) {
    await load(frontier);
    const next: string[] = [];
    for (const id of frontier) {
      const def = defs.get(id);
      if (!def) continue;
      for (const call of literalCalls(def)) {
        if (call.workflowId === selfId) {
          const chain = [id];
          for (let at = via.get(id); at !== undefined; at = via.get(at)) chain.unshift(at);
          const label = (w: string) => names.get(w) ?? w;
          const cyclePath = [definition.name, ...chain.map(label), definition.name].join(" → ");
          const first = calls.find((c) => c.workflowId === chain[0])!;
          const message = `calls would loop: ${cyclePath}`;
          throw new AppError(422, "invalid_workflow", message, [
            { path: `nodes[${first.index}].config.workflowId`, code: "workflow_cycle", message },
          ]);
        }
        if (!via.has(call.workflowId)) {
          via.set(call.workflowId, id);
          next.push(call.workflowId);
        }
      }
    }
    frontier = next;
  }
}
