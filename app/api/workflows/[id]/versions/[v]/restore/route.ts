import { withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { parseVersionParam } from "@/lib/versions/store";
import { restoreVersion } from "@/lib/workflow-store/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string; v: string }> };

/** `POST /api/workflows/:id/versions/:v/restore`: saves version `v` as the newest one → the workflow. */
export const POST = withErrors(async (_req: Request, { params }: Ctx) => {
  const { id, v } = await params;
  return Response.json(await restoreVersion(await getDb(), id, parseVersionParam(v), { author: "api" }));
});
