import { withErrors } from "@/lib/api/errors";
import { buildOpenApiDocument } from "@/lib/api/openapi";

export const runtime = "nodejs";

let document: Record<string, unknown> | undefined;

/** `GET /api/openapi.json`: the OpenAPI 3.1 document of this API, built from its zod schemas. */
export const GET = withErrors(async () => {
  document ??= buildOpenApiDocument();
  return Response.json(document, { headers: { "cache-control": "no-cache" } });
});
