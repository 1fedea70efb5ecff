import { type NextRequest, NextResponse } from "next/server";
import { getEnv } from "@/lib/env";
import { isApiPath, isPublicRequest, unsafeUrlReason } from "@/lib/security/access";
import { isAuthEnabled, SESSION_COOKIE, verifySessionCookie } from "@/lib/security/auth";
import { guardSettings, requestRefusal } from "@/lib/security/request-guard";

/**
 * Runs before any route reads a body. URLs carrying a NUL byte are refused (400) outright; so are
 * requests to a Host the instance does not answer to (421) and state-changing requests from another
 * site (403), see `requestRefusal`. With APP_PASSWORD set, every page and API route outside the public list needs a valid session
 * cookie: API calls without one get a 401 JSON error, page visits a redirect to /login?next=….
 */
export function proxy(request: NextRequest): NextResponse {
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
  if (verifySessionCookie(request.cookies.get(SESSION_COOKIE)?.value)) return NextResponse.next();
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
