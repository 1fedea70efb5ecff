import "server-only";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { AppError, notFound } from "@/lib/api/errors";
import type { Db } from "@/lib/db/client";
import { type WorkflowVersionRow, workflows, workflowVersions } from "@/lib/db/schema";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

/** Who made a version: a signed-in browser (server actions) or an API call. */
export type VersionAuthor = "session" | "api";

/** Versions kept per workflow whatever executions reference (older unreferenced ones are pruned). */
export const KEEP_LATEST_VERSIONS = 100;

/** One row of `GET /api/workflows/:id/versions`. */
export interface VersionSummary {
  version: number;
  createdAt: string;
  createdBy: string;
  message: string | null;
  restoredFrom: number | null;
  nodeCount: number;
  /** Whether this is the workflow's current version. */
  current: boolean;
}

/** `GET /api/workflows/:id/versions/:v`. */
export interface VersionRecord extends Omit<VersionSummary, "nodeCount"> {
  workflowId: string;
  definition: WorkflowDefinition;
}

/** What a save writes besides the definition. */
export interface VersionMeta {
  author?: VersionAuthor;
  message?: string | null;
  restoredFrom?: number | null;
}

/**
 * Writes the immutable row of a version just saved (call it inside the save's transaction), then
 * prunes: versions older than the newest `KEEP_LATEST_VERSIONS` go unless an execution ran them.
 */
export async function writeVersion(
  tx: Db,
  workflowId: string,
  version: number,
  definition: WorkflowDefinition,
  meta: VersionMeta = {},
): Promise<void> {
  await tx
    .insert(workflowVersions)
    .values({
      workflowId,
      version,
      definition,
      createdBy: meta.author ?? "api",
      message: meta.message?.trim() || null,
      restoredFrom: meta.restoredFrom ?? null,
    })
    .onConflictDoUpdate({
      // A workflow inserted without a version row (older data, fixtures) can reach a number twice.
      target: [workflowVersions.workflowId, workflowVersions.version],
      set: { definition, createdBy: meta.author ?? "api", message: meta.message?.trim() || null },
    });
  if (version > KEEP_LATEST_VERSIONS) await pruneVersions(tx, workflowId, version - KEEP_LATEST_VERSIONS);
}

/** Deletes versions of a workflow below `belowVersion` that no execution references. */
export async function pruneVersions(db: Db, workflowId: string, belowVersion: number): Promise<number> {
  const deleted = await db
    .delete(workflowVersions)
    .where(
      and(
        eq(workflowVersions.workflowId, workflowId),
        lt(workflowVersions.version, belowVersion),
        sql`not exists (select 1 from executions e where e.workflow_id = ${workflowVersions.workflowId}
          and e.workflow_version = ${workflowVersions.version})`,
      ),
    )
    .returning({ version: workflowVersions.version });
  return deleted.length;
}

const toSummary = (r: WorkflowVersionRow, current: number): VersionSummary => ({
  version: r.version,
  createdAt: r.createdAt.toISOString(),
  createdBy: r.createdBy,
  message: r.message,
  restoredFrom: r.restoredFrom,
  nodeCount: r.definition.nodes.length,
  current: r.version === current,
});

async function currentOf(db: Db, workflowId: string) {
  const [row] = await db.select().from(workflows).where(eq(workflows.id, workflowId));
  if (!row) throw notFound(`workflow "${workflowId}"`);
  return row;
}

/**
 * A workflow's versions, newest first, `limit` per page; `before` is the last version number of
 * the previous page. `next` is the `before` of the following page, when there is one.
 */
export async function listVersions(
  db: Db,
  workflowId: string,
  options: { limit?: number; before?: number } = {},
): Promise<{ versions: VersionSummary[]; next: number | null }> {
  const current = await currentOf(db, workflowId);
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const rows = await db
    .select()
    .from(workflowVersions)
    .where(
      and(
        eq(workflowVersions.workflowId, workflowId),
        options.before !== undefined ? lt(workflowVersions.version, options.before) : undefined,
      ),
    )
    .orderBy(desc(workflowVersions.version))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const versions = page.map((r) => toSummary(r, current.version));
  // The current definition always shows, even for a workflow stored before versions existed.
  if (options.before === undefined && !versions.some((v) => v.version === current.version)) {
    versions.unshift({
      version: current.version,
      createdAt: current.updatedAt.toISOString(),
      createdBy: "api",
      message: null,
      restoredFrom: null,
      nodeCount: current.definition.nodes.length,
      current: true,
    });
  }
  return { versions, next: rows.length > limit ? (page.at(-1)?.version ?? null) : null };
}

/** One version, or a 404 naming it. */
export async function getVersionOrThrow(db: Db, workflowId: string, version: number): Promise<VersionRecord> {
  if (!Number.isInteger(version) || version < 1) {
    throw new AppError(400, "invalid_request", "version: must be a positive integer", [
      { path: "version", code: "invalid_version", message: "must be a positive integer" },
    ]);
  }
  const current = await currentOf(db, workflowId);
  const [row] = await db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workflowId, workflowId), eq(workflowVersions.version, version)));
  if (row) return { ...toSummary(row, current.version), workflowId, definition: row.definition };
  if (version === current.version) {
    return {
      workflowId,
      version,
      createdAt: current.updatedAt.toISOString(),
      createdBy: "api",
      message: null,
      restoredFrom: null,
      current: true,
      definition: current.definition,
    };
  }
  throw new AppError(404, "not_found", `version: workflow "${workflowId}" has no version ${version}`, [
    { path: "version", code: "unknown_version", message: `no version ${version}` },
  ]);
}

/** Parses a `:v` route segment (a positive integer) or throws a 400 naming `version`. */
export function parseVersionParam(raw: string): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
    throw new AppError(400, "invalid_request", "version: must be a positive integer", [
      { path: "version", code: "invalid_version", message: "must be a positive integer" },
    ]);
  }
  return Number(raw);
}
