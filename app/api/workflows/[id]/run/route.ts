import { readJson, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { startRun } from "@/lib/runs/start-run";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs a workflow: immediate (200, or 202 when handed off), queued (202) or auto. */
export const POST = withErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const body = await readJson(req, { emptyAs: {} });
  const result = await startRun(await getDatabase(), id, body);
  return Response.json(result.body, { status: result.httpStatus });
});
