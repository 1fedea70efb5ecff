import { withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { controlExecution } from "@/lib/runs/controls";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** `cancel` control (409 when the execution is in the wrong state). */
export const POST = withErrors(async (_req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  return Response.json(await controlExecution(await getDatabase(), id, "cancel"));
});
