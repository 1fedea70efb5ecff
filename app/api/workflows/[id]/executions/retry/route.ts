import { AppError, readJson, withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { bulkRetry } from "@/lib/runs/bulk-retry";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * `POST /api/workflows/:id/executions/retry` `{ status?, since?, until?, tag?, limit?, ids? }` →
 * `{ retried: ids }`. An `Idempotency-Key` header makes a repeat of the request answer the same ids.
 */
export const POST = withErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const requestKey = req.headers.get("idempotency-key") ?? undefined;
  if (requestKey !== undefined && (requestKey.length === 0 || requestKey.length > 200)) {
    throw new AppError(400, "invalid_request", "Idempotency-Key: 1 to 200 characters", [
      { path: "Idempotency-Key", code: "invalid_key", message: "1 to 200 characters" },
    ]);
  }
  const body = await readJson(req, { emptyAs: {} });
  return Response.json(await bulkRetry(await getDatabase(), id, body, { requestKey }));
});
