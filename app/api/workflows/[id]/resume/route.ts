import { parseOrThrow, readJson, withErrors } from "@/lib/api/errors";
import { ResumeByKeyRequest } from "@/lib/api/schemas";
import { getDatabase } from "@/lib/db/client";
import { resumeByKey } from "@/lib/runs/waits";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Resumes every execution of this workflow whose `wait` node waits on correlation key `key`. */
export const POST = withErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const body = parseOrThrow(ResumeByKeyRequest, await readJson(req));
  return Response.json(await resumeByKey(await getDatabase(), id, body.key, body.data));
});
