import { readJson, withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { revokeWebhook, updateWebhook } from "@/lib/runs/webhooks";

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

/** Sets the webhook's rate limit: `{ rateLimit: { max, windowSeconds } | null }` → the webhook. */
export const PATCH = withErrors(
  async (req: Request, { params }: { params: Promise<{ id: string; triggerId: string }> }) => {
    const { id, triggerId } = await params;
    return Response.json(await updateWebhook(await getDb(), id, triggerId, await readJson(req)));
  },
);
