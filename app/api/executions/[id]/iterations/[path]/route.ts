import { notFound, withErrors } from "@/lib/api/errors";
import { iterationPathOrThrow } from "@/lib/api/iteration-path";
import { getDb } from "@/lib/db/client";
import { getExecutionIteration } from "@/lib/runs/get-execution";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** One loop item of an execution: its body nodes' detail (status, input, output, error). */
export const GET = withErrors(
  async (_req: Request, { params }: { params: Promise<{ id: string; path: string }> }) => {
    const { id, path } = await params;
    const detail = await getExecutionIteration(await getDb(), id, iterationPathOrThrow(path));
    if (!detail) throw notFound(`execution "${id}"`);
    return Response.json(detail);
  },
);
