import { withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { openEventStream } from "@/lib/events/stream";
import { getExecutionDetail } from "@/lib/runs/get-execution";
import { waitLinks, waitTokenKey } from "@/lib/runs/waits";
import { iterationKey } from "@/lib/workflow/bodies";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** SPEC §4: the live events of an execution as Server-Sent Events. */
export const GET = withErrors(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const database = await getDatabase();
  const key = await waitTokenKey(database.db);
  return openEventStream(database, id, req, {
    loadSnapshot: () => getExecutionDetail(database.db, id, { links: true }),
    // A waiting webhook or approval node's event carries its links (this stream is the owner's).
    decorate: (payload) => {
      const p = payload as { nodeId?: string; iteration?: number[]; waiting?: { for?: string } };
      if (!p.nodeId || !p.waiting || (p.waiting.for !== "webhook" && p.waiting.for !== "approval"))
        return payload;
      const links = waitLinks(key, id, iterationKey(p.nodeId, p.iteration));
      return {
        ...p,
        waiting: {
          ...p.waiting,
          resumeUrl: links.resumeUrl,
          ...(p.waiting.for === "approval" ? { approvalUrl: links.approvalUrl } : {}),
        },
      };
    },
  });
});
