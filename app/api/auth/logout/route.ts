import { serializeSessionCookie } from "@/lib/security/auth";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** `POST /api/auth/logout`: clears the session cookie; a form post is sent on to /login. */
export async function POST(req: Request): Promise<Response> {
  const cleared = serializeSessionCookie("", 0);
  const isForm = (req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded");
  if (isForm) {
    return new Response(null, {
      status: 303,
      headers: { location: new URL("/login", req.url).toString(), "set-cookie": cleared },
    });
  }
  return Response.json({ ok: true }, { headers: { "set-cookie": cleared, "cache-control": "no-store" } });
}
