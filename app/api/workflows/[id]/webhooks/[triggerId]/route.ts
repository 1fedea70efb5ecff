import { withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { revokeWebhook } from "@/lib/runs/webhooks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Revokes a trigger's webhook (204); its URL answers 404 from then on. */
export const DELETE = withErrors(
  async (_req: Request, { params }: { params: Promise<{ id: string; triggerId: string }> }) => {
    const { id, triggerId } = await params;
    await revokeWebhook(await getDb(), id, triggerId);
    return new Response(null, { status: 204 });
  },
);
