import { withErrors } from "@/lib/api/errors";
import { serializeSessionCookie, sessionFromCookieHeader } from "@/lib/security/auth";
import { revokeSession } from "@/lib/security/sessions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * `POST /api/auth/logout`: revokes the session server-side (a copy of the cookie is refused from
 * then on, by every process) and clears the cookie; a form post is sent on to /login.
 */
export const POST = withErrors(async (req: Request): Promise<Response> => {
  await revokeSession(sessionFromCookieHeader(req.headers.get("cookie")));
  const cleared = serializeSessionCookie("", 0);
  const isForm = (req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded");
  if (isForm) {
    return new Response(null, {
      status: 303,
      headers: { location: new URL("/login", req.url).toString(), "set-cookie": cleared },
    });
  }
  return Response.json({ ok: true }, { headers: { "set-cookie": cleared, "cache-control": "no-store" } });
});
