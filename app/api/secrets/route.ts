import { withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { listSecrets, secretsTableAvailable } from "@/lib/security/secrets";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** `{ secrets: [{ name, source, updatedAt?, overridesEnv? }], storeAvailable }`: names, never values. */
export const GET = withErrors(async () => {
  const secrets = await listSecrets(await getDatabase());
  return Response.json(
    { secrets, storeAvailable: secretsTableAvailable() },
    { headers: { "cache-control": "no-store" } },
  );
});
