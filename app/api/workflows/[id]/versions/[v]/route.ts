import { withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { getVersionOrThrow, parseVersionParam } from "@/lib/versions/store";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string; v: string }> };

/** `GET /api/workflows/:id/versions/:v`: one version with its definition. */
export const GET = withErrors(async (_req: Request, { params }: Ctx) => {
  const { id, v } = await params;
  return Response.json(await getVersionOrThrow(await getDb(), id, parseVersionParam(v)));
});
