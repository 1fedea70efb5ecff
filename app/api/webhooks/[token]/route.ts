import { withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { runWebhook } from "@/lib/runs/webhooks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** An incoming webhook: runs the workflow from the webhook's trigger with the body as inputs. */
export const POST = withErrors(async (req: Request, { params }: { params: Promise<{ token: string }> }) => {
  const { token } = await params;
  const result = await runWebhook(await getDatabase(), token, req);
  return Response.json(result.body, { status: result.httpStatus });
});
