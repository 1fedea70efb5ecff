import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { TerminalExecutionStatus } from "@/lib/contract/status";
import type { Db } from "@/lib/db/client";
import { executions, workflows } from "@/lib/db/schema";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

/** Stores a workflow and returns its id. */
export async function insertWorkflow(db: Db, definition: WorkflowDefinition): Promise<string> {
  const id = randomUUID();
  await db.insert(workflows).values({ id, name: definition.name, definition });
  return id;
}

/** trigger → http GET `${base}/<tag>/a` → http `${base}/<tag>/b` → output; `slowMs` delays each call. */
export function httpChain(
  base: string,
  tag: string,
  options: { slowMs?: number; length?: number } = {},
): WorkflowDefinition {
  const length = options.length ?? 2;
  const prefix = options.slowMs ? `${base}/slow/${options.slowMs}/${tag}` : `${base}/${tag}`;
  const nodes: WorkflowDefinition["nodes"] = [{ id: "start", type: "trigger", config: {} }];
  const edges: WorkflowDefinition["edges"] = [];
  let prev = "start";
  for (let i = 0; i < length; i++) {
    const id = `h${i}`;
    nodes.push({ id, type: "http", config: { method: "GET", url: `${prefix}/${id}` } });
    edges.push({ source: prev, target: id });
    prev = id;
  }
  nodes.push({ id: "out", type: "output", config: { value: `nodes.${prev}.body` } });
  edges.push({ source: prev, target: "out" });
  return { version: 1, name: `chain ${tag}`, nodes, edges, settings: { mode: "queued" } };
}

/** trigger → transform → output: no outside calls. */
export function tinyWorkflow(name = "tiny"): WorkflowDefinition {
  return {
    version: 1,
    name,
    nodes: [
      { id: "start", type: "trigger", config: {} },
      { id: "double", type: "transform", config: { expression: "inputs.n * 2" } },
      { id: "out", type: "output", config: {} },
    ],
    edges: [
      { source: "start", target: "double" },
      { source: "double", target: "out" },
    ],
  };
}

/** Polls until the execution reaches one of `statuses` (or throws after `timeoutMs`); returns the row. */
export async function waitForStatus(
  db: Db,
  id: string,
  statuses: readonly string[] = TerminalExecutionStatus.options,
  timeoutMs = 20_000,
): Promise<typeof executions.$inferSelect> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.select().from(executions).where(eq(executions.id, id));
    if (row && statuses.includes(row.status)) return row;
    if (Date.now() > until)
      throw new Error(`execution ${id} is ${row?.status ?? "missing"}, not ${statuses.join("|")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
