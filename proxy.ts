import { type NextRequest, NextResponse } from "next/server";
import { isConnectionError } from "@/lib/db/connection-errors";
import { getEnv } from "@/lib/env";
import { isApiPath, isPublicRequest, unsafeUrlReason } from "@/lib/security/access";
import { isAuthEnabled, SESSION_COOKIE } from "@/lib/security/auth";
import { guardSettings, requestRefusal } from "@/lib/security/request-guard";
import { sessionIsLive } from "@/lib/security/sessions";

/**
 * Runs before any route reads a body. URLs carrying a NUL byte are refused (400) outright; so are
 * requests to a Host the instance does not answer to (421) and state-changing requests from another
 * site (403), see `requestRefusal`. With APP_PASSWORD set, every page and API route outside the public list needs a valid session
 * cookie: API calls without one get a 401 JSON error, page visits a redirect to /login?next=….
 * A session ended by logout is refused too (the revocation is read from the database).
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  const unsafe = unsafeUrlReason(pathname, search);
  if (unsafe) {
    return NextResponse.json({ error: { code: "invalid_request", message: unsafe } }, { status: 400 });
  }
  const refusal = requestRefusal(request.method, pathname, request.headers, guardSettings(getEnv()));
  if (refusal) {
    return NextResponse.json(
      { error: { code: refusal.code, message: refusal.message } },
      { status: refusal.status, headers: { "cache-control": "no-store" } },
    );
  }
  if (!isAuthEnabled()) return NextResponse.next();
  if (isPublicRequest(pathname, request.method, request.headers)) return NextResponse.next();
  try {
    if (await sessionIsLive(request.cookies.get(SESSION_COOKIE)?.value)) return NextResponse.next();
  } catch (err) {
    if (!isConnectionError(err)) throw err;
    return NextResponse.json(
      { error: { code: "unavailable", message: "the database is unreachable; retry shortly" } },
      { status: 503, headers: { "retry-after": "2", "cache-control": "no-store" } },
    );
  }
  if (isApiPath(pathname) || (request.method !== "GET" && request.method !== "HEAD")) {
    return NextResponse.json(
      {
        error: {
          code: "unauthorized",
          message: "sign in first: this instance needs a session (POST /api/auth/login)",
        },
      },
      { status: 401, headers: { "cache-control": "no-store" } },
    );
  }
  const login = new URL("/login", request.nextUrl.origin);
  login.searchParams.set("next", `${pathname}${search}`);
  return NextResponse.redirect(login, 307);
}

export const config = {
  matcher: ["/((?!_next/static/|_next/image|favicon.ico).*)"],
};
