import { readJson, withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { createWebhook, listWebhooks } from "@/lib/runs/webhooks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** `{ webhooks: [{ triggerId, url, createdAt }] }`. */
export const GET = withErrors(async (_req: Request, { params }: Ctx) => {
  const { id } = await params;
  return Response.json({ webhooks: await listWebhooks(await getDb(), id) });
});

/** `{ triggerId }` → 201 with the new webhook, or 200 with the one the trigger already has. */
export const POST = withErrors(async (req: Request, { params }: Ctx) => {
  const { id } = await params;
  const { webhook, created } = await createWebhook(await getDb(), id, await readJson(req));
  return Response.json(webhook, { status: created ? 201 : 200 });
});
