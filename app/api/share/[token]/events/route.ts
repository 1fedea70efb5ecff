import { notFound, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { openEventStream } from "@/lib/events/stream";
import { getExecutionDetail } from "@/lib/runs/get-execution";
import { createShareRedactor } from "@/lib/runs/share-redaction";
import { getSharedExecutionId } from "@/lib/runs/shares";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The live events of a shared execution (SPEC §4), for anyone with the link, secrets redacted. A
 * stream open when the link is revoked ends at its next heartbeat.
 */
export const GET = withErrors(async (req: Request, ctx: { params: Promise<{ token: string }> }) => {
  const { token } = await ctx.params;
  const database = await getDatabase();
  const executionId = await getSharedExecutionId(database.db, token);
  if (!executionId) throw notFound("shared execution");
  return openEventStream(database, executionId, req, {
    loadSnapshot: () => getExecutionDetail(database.db, executionId),
    redact: await createShareRedactor(database),
    stillAllowed: async () => (await getSharedExecutionId(database.db, token)) === executionId,
  });
});
