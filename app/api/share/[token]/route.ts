import { notFound, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { redactForShare } from "@/lib/runs/share-redaction";
import { getExecutionByShareToken } from "@/lib/runs/shares";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A shared execution as JSON (the `GET /api/executions/:id` body), for anyone with the link, secrets redacted. */
export const GET = withErrors(async (_req: Request, ctx: { params: Promise<{ token: string }> }) => {
  const { token } = await ctx.params;
  const database = await getDatabase();
  const detail = await getExecutionByShareToken(database.db, token);
  if (!detail) throw notFound("shared execution");
  return Response.json(await redactForShare(database, detail), { headers: { "cache-control": "no-store" } });
});
