import { AppError, notFound, withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { getExecutionIteration } from "@/lib/runs/get-execution";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const PATH = /^\d{1,6}(\.\d{1,6}){0,2}$/;

/** One loop item of an execution: its body nodes' detail (status, input, output, error). */
export const GET = withErrors(
  async (_req: Request, { params }: { params: Promise<{ id: string; path: string }> }) => {
    const { id, path } = await params;
    if (!PATH.test(path)) {
      throw new AppError(
        400,
        "invalid_request",
        'path: an item index path such as "7" or "3.0" (at most 3 levels)',
      );
    }
    const detail = await getExecutionIteration(await getDb(), id, path.split(".").map(Number));
    if (!detail) throw notFound(`execution "${id}"`);
    return Response.json(detail);
  },
);
