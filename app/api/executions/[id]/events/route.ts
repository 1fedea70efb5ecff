import { withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { openEventStream } from "@/lib/events/stream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** SPEC §4: the live events of an execution as Server-Sent Events. */
export const GET = withErrors(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  return openEventStream(await getDatabase(), id, req);
});
