import { notFound, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { getSharedExecution } from "@/lib/runs/share-redaction";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A shared execution as JSON (the `GET /api/executions/:id` body), for anyone with the link, secrets redacted. */
export const GET = withErrors(async (_req: Request, ctx: { params: Promise<{ token: string }> }) => {
  const { token } = await ctx.params;
  const detail = await getSharedExecution(await getDatabase(), token);
  if (!detail) throw notFound("shared execution");
  return Response.json(detail, { headers: { "cache-control": "no-store" } });
});
