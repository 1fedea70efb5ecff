import { withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { openEventStream } from "@/lib/events/stream";
import { getExecutionDetail } from "@/lib/runs/get-execution";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** SPEC §4: the live events of an execution as Server-Sent Events. */
export const GET = withErrors(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const database = await getDatabase();
  return openEventStream(database, id, req, { loadSnapshot: () => getExecutionDetail(database.db, id) });
});
