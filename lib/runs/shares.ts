import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { notFound } from "@/lib/api/errors";
import type { Db } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import { createUrlToken, isUrlToken } from "@/lib/security/url-token";
import { type ExecutionDetail, getExecutionDetail } from "./get-execution";

/** Shares an execution read-only; the same link is returned while it is not revoked. */
export async function shareExecution(db: Db, id: string): Promise<{ url: string; token: string }> {
  const token = createUrlToken();
  await db
    .update(executions)
    .set({ shareToken: token })
    .where(and(eq(executions.id, id), isNull(executions.shareToken)));
  const [row] = await db
    .select({ token: executions.shareToken })
    .from(executions)
    .where(eq(executions.id, id));
  if (!row?.token) throw notFound(`execution "${id}"`);
  return { url: `/share/${row.token}`, token: row.token };
}

/** The execution's live share link, or null when it is not shared. */
export async function getShareUrl(db: Db, id: string): Promise<string | null> {
  const [row] = await db
    .select({ token: executions.shareToken })
    .from(executions)
    .where(eq(executions.id, id));
  return row?.token ? `/share/${row.token}` : null;
}

/** Revokes an execution's share link (a no-op when it has none). */
export async function revokeShare(db: Db, id: string): Promise<void> {
  const rows = await db
    .update(executions)
    .set({ shareToken: sql`null` })
    .where(eq(executions.id, id))
    .returning({ id: executions.id });
  if (rows.length === 0) throw notFound(`execution "${id}"`);
}

/** The id of the execution shared under `token`, or undefined (unknown, revoked or malformed token). */
export async function getSharedExecutionId(db: Db, token: string): Promise<string | undefined> {
  if (!isUrlToken(token)) return undefined;
  const [row] = await db
    .select({ id: executions.id })
    .from(executions)
    .where(eq(executions.shareToken, token));
  return row?.id;
}

/** The execution shared under `token`, or undefined (unknown, revoked or malformed token). */
export async function getExecutionByShareToken(db: Db, token: string): Promise<ExecutionDetail | undefined> {
  const id = await getSharedExecutionId(db, token);
  return id ? getExecutionDetail(db, id) : undefined;
}
