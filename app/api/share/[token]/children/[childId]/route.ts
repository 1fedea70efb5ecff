import { notFound, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { getSharedChild } from "@/lib/runs/share-redaction";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A child execution of a shared execution, redacted like it; 404 unless it descends from it. */
export const GET = withErrors(
  async (_req: Request, ctx: { params: Promise<{ token: string; childId: string }> }) => {
    const { token, childId } = await ctx.params;
    const detail = await getSharedChild(await getDatabase(), token, childId);
    if (!detail) throw notFound("shared child execution");
    return Response.json(detail, { headers: { "cache-control": "no-store" } });
  },
);
