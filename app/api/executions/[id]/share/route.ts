import { withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { revokeShare, shareExecution } from "@/lib/runs/shares";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Creates (or returns) the read-only link of an execution. */
export const POST = withErrors(async (_req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const { url } = await shareExecution(await getDb(), id);
  return Response.json({ url });
});

/** Revokes the link. */
export const DELETE = withErrors(async (_req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  await revokeShare(await getDb(), id);
  return new Response(null, { status: 204 });
});
