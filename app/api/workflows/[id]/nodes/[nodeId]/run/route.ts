import { readJson, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { runNodeOfWorkflow } from "@/lib/runs/run-single-node";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs one node with the given input, or its upstream's latest outputs. */
export const POST = withErrors(
  async (req: Request, { params }: { params: Promise<{ id: string; nodeId: string }> }) => {
    const { id, nodeId } = await params;
    const body = await readJson(req, { emptyAs: {} });
    return Response.json(await runNodeOfWorkflow(await getDatabase(), id, nodeId, body));
  },
);
