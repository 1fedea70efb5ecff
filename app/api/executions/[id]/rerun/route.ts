import { readJson, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { rerunExecution } from "@/lib/runs/rerun";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** `POST /api/executions/:id/rerun` `{ fromNodeId, version? }` → 202 with the new (queued) execution. */
export const POST = withErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const body = await readJson(req);
  const answer = await rerunExecution(await getDatabase(), id, body);
  return Response.json(answer, {
    status: 202,
    headers: { Location: `/api/executions/${answer.executionId}` },
  });
});
