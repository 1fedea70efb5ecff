import { parseOrThrow, readJson, withErrors } from "@/lib/api/errors";
import { SetSecretRequest } from "@/lib/api/schemas";
import { getDatabase } from "@/lib/db/client";
import { removeSecretOrThrow, setSecret } from "@/lib/security/secrets";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ name: string }> };

/** `{ value }` → 204: stores (or replaces) the secret, encrypted; needs APP_SECRET (409 without). */
export const PUT = withErrors(async (req: Request, { params }: Ctx) => {
  const { name } = await params;
  const { value } = parseOrThrow(SetSecretRequest, await readJson(req, { maxBytes: 128 * 1024 }));
  await setSecret(await getDatabase(), name, value);
  return new Response(null, { status: 204 });
});

/** Removes a stored secret (204); 409 for one that comes from the environment, 404 for none. */
export const DELETE = withErrors(async (_req: Request, { params }: Ctx) => {
  const { name } = await params;
  await removeSecretOrThrow(await getDatabase(), name);
  return new Response(null, { status: 204 });
});
