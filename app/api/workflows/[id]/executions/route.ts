import { parseOrThrow, withErrors } from "@/lib/api/errors";
import { HistoryQuery } from "@/lib/api/schemas";
import { getDb } from "@/lib/db/client";
import { listExecutions } from "@/lib/runs/get-execution";
import { getWorkflowOrThrow } from "@/lib/workflow-store/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * A workflow's executions, newest first (`?limit=&before=<executionId>` pages;
 * `?idempotencyKey=` finds the execution a run request with that key started; `?topLevel=true`
 * leaves out child executions, those a parent's `workflow` node started; `?status=waiting` keeps
 * one status).
 */
export const GET = withErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const search = Object.fromEntries(new URL(req.url).searchParams);
  const options = parseOrThrow(HistoryQuery, search);
  const db = await getDb();
  await getWorkflowOrThrow(db, id);
  return Response.json({ executions: await listExecutions(db, id, options) });
});
