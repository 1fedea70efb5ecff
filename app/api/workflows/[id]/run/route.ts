import { readJson, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { startRun } from "@/lib/runs/start-run";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs a workflow: immediate (200, or 202 when handed off), queued (202) or auto. */
export const POST = withErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const body = await readJson(req, { emptyAs: {} });
  // A W3C `traceparent` makes the caller's span the parent of the execution's trace.
  const result = await startRun(await getDatabase(), id, body, {
    traceparent: req.headers.get("traceparent"),
  });
  return Response.json(result.body, { status: result.httpStatus });
});
