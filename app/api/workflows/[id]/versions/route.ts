import { AppError, withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { listVersions } from "@/lib/versions/store";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

function intParam(url: URL, name: string, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new AppError(400, "invalid_request", `${name}: must be an integer from 1 to ${max}`, [
      { path: name, code: "invalid_number", message: `must be an integer from 1 to ${max}` },
    ]);
  }
  return Number(raw);
}

/** `GET /api/workflows/:id/versions?limit=&before=`: versions newest first, `next` for the next page. */
export const GET = withErrors(async (req: Request, { params }: Ctx) => {
  const { id } = await params;
  const url = new URL(req.url);
  const limit = intParam(url, "limit", 200);
  const before = intParam(url, "before", 999_999_999);
  return Response.json(await listVersions(await getDb(), id, { limit, before }));
});
