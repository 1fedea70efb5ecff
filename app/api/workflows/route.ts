import { readJson, withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { createWorkflow, listWorkflows } from "@/lib/workflow-store/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** `GET /api/workflows`: every workflow, most recently updated first. */
export const GET = withErrors(async () => {
  return Response.json({ workflows: await listWorkflows(await getDb()) });
});

/** `POST /api/workflows`: body is a definition → 201 with the stored workflow. */
export const POST = withErrors(async (req: Request) => {
  const body = await readJson(req);
  const record = await createWorkflow(await getDb(), body);
  return Response.json(record, { status: 201, headers: { Location: `/api/workflows/${record.id}` } });
});
