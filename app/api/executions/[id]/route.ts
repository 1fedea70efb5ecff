import { notFound, withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { getExecutionDetail } from "@/lib/runs/get-execution";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** One execution with per-node detail and logs. */
export const GET = withErrors(async (_req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const detail = await getExecutionDetail(await getDb(), id, { links: true });
  if (!detail) throw notFound(`execution "${id}"`);
  return Response.json(detail);
});
