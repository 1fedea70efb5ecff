import { parseIfMatch, readJson, withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { deleteWorkflow, getWorkflowOrThrow, updateWorkflow } from "@/lib/workflow-store/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** `GET /api/workflows/:id`. */
export const GET = withErrors(async (_req: Request, { params }: Ctx) => {
  const { id } = await params;
  return Response.json(await getWorkflowOrThrow(await getDb(), id));
});

/** `PUT /api/workflows/:id`: body is a definition → 200; bumps `version`. `If-Match: <version>` guards. */
export const PUT = withErrors(async (req: Request, { params }: Ctx) => {
  const { id } = await params;
  const expectedVersion = parseIfMatch(req.headers.get("if-match"));
  const body = await readJson(req);
  return Response.json(await updateWorkflow(await getDb(), id, body, { expectedVersion }));
});

/** `DELETE /api/workflows/:id` → 204. */
export const DELETE = withErrors(async (_req: Request, { params }: Ctx) => {
  const { id } = await params;
  await deleteWorkflow(await getDb(), id);
  return new Response(null, { status: 204 });
});
