import { readJson, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { resumeByToken } from "@/lib/runs/waits";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Resumes the `wait` node this token belongs to (no session: the 192-bit token is the credential).
 * An approval takes `{ approved, comment?, data? }`; any other wait takes the body as `data`.
 * 409 when it was already resumed (with the outcome) or the execution was cancelled; 404 when the
 * token is unknown or its execution ended.
 */
export const POST = withErrors(async (req: Request, { params }: { params: Promise<{ token: string }> }) => {
  const { token } = await params;
  const body = await readJson(req, { emptyAs: undefined, anyContentType: true });
  return Response.json(await resumeByToken(await getDatabase(), token, body));
});
