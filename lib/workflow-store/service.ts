import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, notInArray, sql } from "drizzle-orm";
import { AppError, describeIssues, notFound } from "@/lib/api/errors";
import type { Db } from "@/lib/db/client";
import { webhooks, workflows } from "@/lib/db/schema";
import { getVersionOrThrow, type VersionMeta, writeVersion } from "@/lib/versions/store";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { validateWorkflow } from "@/lib/workflow/validate";
import { checkWorkflowCalls } from "./calls";
import { syncSchedules } from "./schedules";

/** A row of `GET /api/workflows`. */
export interface WorkflowSummary {
  id: string;
  name: string;
  nodeCount: number;
  updatedAt: string;
}

/** `GET /api/workflows/:id`. */
export interface WorkflowRecord {
  id: string;
  name: string;
  definition: WorkflowDefinition;
  version: number;
  createdAt: string;
  updatedAt: string;
}

function toRecord(row: typeof workflows.$inferSelect): WorkflowRecord {
  return {
    id: row.id,
    name: row.name,
    definition: row.definition,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Validates a definition or throws a 422 whose issues name each path. */
export function parseDefinitionOrThrow(input: unknown): WorkflowDefinition {
  const result = validateWorkflow(input);
  if (!result.ok) throw new AppError(422, "invalid_workflow", describeIssues(result.issues), result.issues);
  return result.definition;
}

/** Every workflow, most recently updated first. */
export async function listWorkflows(db: Db): Promise<WorkflowSummary[]> {
  const rows = await db
    .select({
      id: workflows.id,
      name: workflows.name,
      nodeCount: sql<number>`jsonb_array_length(${workflows.definition}->'nodes')`.mapWith(Number),
      updatedAt: workflows.updatedAt,
    })
    .from(workflows)
    .orderBy(desc(workflows.updatedAt), desc(workflows.id));
  return rows.map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString() }));
}

/** One workflow, or a 404. */
export async function getWorkflowOrThrow(db: Db, id: string): Promise<WorkflowRecord> {
  const [row] = await db.select().from(workflows).where(eq(workflows.id, id));
  if (!row) throw notFound(`workflow "${id}"`);
  return toRecord(row);
}

/** Stores a new workflow after validating it, with its version 1 (same transaction). */
export async function createWorkflow(
  db: Db,
  input: unknown,
  meta: Pick<VersionMeta, "author" | "message"> = {},
): Promise<WorkflowRecord> {
  const definition = parseDefinitionOrThrow(input);
  await checkWorkflowCalls(db, undefined, definition);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(workflows)
      .values({ id: randomUUID(), name: definition.name, definition })
      .returning();
    await writeVersion(tx, row!.id, row!.version, definition, meta);
    await syncSchedules(tx, row!.id, definition);
    return toRecord(row!);
  });
}

/**
 * Replaces a workflow's definition, bumps its version and writes that version's immutable row, in
 * one transaction. With `expectedVersion`, a concurrent update in between is refused with a 409
 * instead of being overwritten.
 */
export async function updateWorkflow(
  db: Db,
  id: string,
  input: unknown,
  options: { expectedVersion?: number } & VersionMeta = {},
): Promise<WorkflowRecord> {
  const definition = parseDefinitionOrThrow(input);
  await checkWorkflowCalls(db, id, definition);
  const where =
    options.expectedVersion === undefined
      ? eq(workflows.id, id)
      : sql`${workflows.id} = ${id} and ${workflows.version} = ${options.expectedVersion}`;
  const saved = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(workflows)
      .set({
        name: definition.name,
        definition,
        version: sql`${workflows.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(where)
      .returning();
    if (!row) return undefined;
    await writeVersion(tx, id, row.version, definition, options);
    // A trigger that is gone takes its webhook with it, so no dangling URL outlives it.
    const triggers = definition.nodes.filter((n) => n.type === "trigger").map((n) => n.id);
    await tx
      .delete(webhooks)
      .where(and(eq(webhooks.workflowId, id), notInArray(webhooks.triggerId, triggers)));
    await syncSchedules(tx, id, definition);
    return toRecord(row);
  });
  if (saved) return saved;
  await getWorkflowOrThrow(db, id); // 404 when it does not exist
  throw new AppError(409, "version_conflict", `workflow "${id}" was changed by someone else; reload it`);
}

/** Renames a workflow (the name inside its definition too). */
export async function renameWorkflow(
  db: Db,
  id: string,
  name: string,
  meta: Pick<VersionMeta, "author"> = {},
): Promise<WorkflowRecord> {
  const current = await getWorkflowOrThrow(db, id);
  return updateWorkflow(
    db,
    id,
    { ...current.definition, name },
    { ...meta, message: `Renamed to "${name}"` },
  );
}

/**
 * Makes version `version` the newest one (SPEC §3 `POST …/versions/:v/restore`): its definition is
 * saved as a new version; nothing is deleted. The definition is validated again, as any save is.
 */
export async function restoreVersion(
  db: Db,
  id: string,
  version: number,
  meta: Pick<VersionMeta, "author"> = {},
): Promise<WorkflowRecord> {
  const old = await getVersionOrThrow(db, id, version);
  return updateWorkflow(db, id, old.definition, {
    author: meta.author,
    message: `Restored version ${version}`,
    restoredFrom: version,
  });
}

/** Deletes a workflow and, by cascade, its executions. */
export async function deleteWorkflow(db: Db, id: string): Promise<void> {
  const deleted = await db.delete(workflows).where(eq(workflows.id, id)).returning({ id: workflows.id });
  if (deleted.length === 0) throw notFound(`workflow "${id}"`);
}
