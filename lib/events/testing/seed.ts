import { randomUUID } from "node:crypto";
import type { ExecutionStatus } from "@/lib/contract/status";
import type { Db } from "@/lib/db/client";
import { executions, workflows } from "@/lib/db/schema";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

const definition = {
  version: 1,
  name: "events test",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "a", type: "transform", config: { expression: "1" } },
    { id: "b", type: "transform", config: { expression: "2" } },
  ],
  edges: [
    { id: "e1", source: "start", target: "a" },
    { id: "e2", source: "a", target: "b" },
  ],
} as unknown as WorkflowDefinition;

/** Inserts a workflow and one execution of it (tests and benchmarks); returns the execution id. */
export async function seedExecution(
  db: Db,
  options: { status?: ExecutionStatus; fence?: number; id?: string } = {},
): Promise<string> {
  const workflowId = `wf_${randomUUID()}`;
  const id = options.id ?? `ex_${randomUUID()}`;
  await db.insert(workflows).values({ id: workflowId, name: definition.name, definition });
  await db.insert(executions).values({
    id,
    workflowId,
    workflowVersion: 1,
    status: options.status ?? "running",
    mode: "queued",
    definition,
    fence: options.fence ?? 1,
    startedAt: new Date(),
  });
  return id;
}
