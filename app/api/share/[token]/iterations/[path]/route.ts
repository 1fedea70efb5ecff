import { notFound, withErrors } from "@/lib/api/errors";
import { iterationPathOrThrow } from "@/lib/api/iteration-path";
import { getDatabase } from "@/lib/db/client";
import { getSharedIteration } from "@/lib/runs/share-redaction";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** One loop item of a shared execution, for anyone with the link, secrets redacted. */
export const GET = withErrors(
  async (_req: Request, ctx: { params: Promise<{ token: string; path: string }> }) => {
    const { token, path } = await ctx.params;
    const detail = await getSharedIteration(await getDatabase(), token, iterationPathOrThrow(path));
    if (!detail) throw notFound("shared execution");
    return Response.json(detail, { headers: { "cache-control": "no-store" } });
  },
);
