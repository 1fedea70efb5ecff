import { AppError, notFound, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { getSharedIteration } from "@/lib/runs/share-redaction";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const PATH = /^\d{1,6}(\.\d{1,6}){0,2}$/;

/** One loop item of a shared execution, for anyone with the link, secrets redacted. */
export const GET = withErrors(
  async (_req: Request, ctx: { params: Promise<{ token: string; path: string }> }) => {
    const { token, path } = await ctx.params;
    if (!PATH.test(path)) {
      throw new AppError(
        400,
        "invalid_request",
        'path: an item index path such as "7" or "3.0" (at most 3 levels)',
      );
    }
    const detail = await getSharedIteration(await getDatabase(), token, path.split(".").map(Number));
    if (!detail) throw notFound("shared execution");
    return Response.json(detail, { headers: { "cache-control": "no-store" } });
  },
);
