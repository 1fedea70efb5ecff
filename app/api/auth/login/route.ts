import { AppError, readBodyText, readJson, withErrors } from "@/lib/api/errors";
import {
  checkPassword,
  createSessionToken,
  isAuthEnabled,
  safeNextPath,
  serializeSessionCookie,
} from "@/lib/security/auth";
import { getLoginLimiter } from "@/lib/security/login-limiter";
import { clientAddress, requestIsHttps, trustedProxies } from "@/lib/security/socket-address";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_LOGIN_BODY = 16 * 1024;

/**
 * `POST /api/auth/login`: `{ password, next? }` as JSON (→ 200 / 401) or a form post from /login
 * (→ 303 to `next`, or back to /login with the error). Sets the session cookie on success.
 */
export const POST = withErrors(async (req: Request) => {
  const isForm = (req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded");
  const { password, next } = isForm ? await readForm(req) : await readJsonCredentials(req);
  const target = safeNextPath(next);
  if (!isAuthEnabled()) {
    throw new AppError(
      409,
      "auth_disabled",
      "APP_PASSWORD is not set: this instance is open and needs no sign-in",
    );
  }
  const limiter = getLoginLimiter();
  const proxies = trustedProxies();
  const key = clientAddress(req, proxies);
  const waitMs = await limiter.waitMs(key);
  if (waitMs > 0) {
    const retryAfter = String(Math.ceil(waitMs / 1000));
    if (isForm) return redirectTo(`/login?error=rate_limited&next=${encodeURIComponent(target)}`, req);
    throw new AppError(
      429,
      "rate_limited",
      `too many failed sign-ins; try again in ${retryAfter} s`,
      undefined,
      { "retry-after": retryAfter },
    );
  }
  if (!checkPassword(password)) {
    await limiter.fail(key);
    if (isForm) return redirectTo(`/login?error=invalid&next=${encodeURIComponent(target)}`, req);
    throw new AppError(401, "invalid_password", "password: not right");
  }
  await limiter.succeed(key);
  const cookie = serializeSessionCookie(createSessionToken(), undefined, requestIsHttps(req, proxies));
  if (isForm) return redirectTo(target, req, cookie);
  return Response.json(
    { ok: true, next: target },
    { headers: { "set-cookie": cookie, "cache-control": "no-store" } },
  );
});

async function readJsonCredentials(req: Request): Promise<{ password: unknown; next: unknown }> {
  const body = await readJson(req, { maxBytes: MAX_LOGIN_BODY });
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AppError(422, "invalid_request", "body: expected an object { password }");
  }
  const { password, next } = body as Record<string, unknown>;
  if (typeof password !== "string") throw new AppError(422, "invalid_request", "password: expected a string");
  return { password, next };
}

/** The form fields, refused past MAX_LOGIN_BODY bytes. */
async function readForm(req: Request): Promise<{ password: unknown; next: unknown }> {
  const form = new URLSearchParams(await readBodyText(req, MAX_LOGIN_BODY));
  return { password: form.get("password") ?? "", next: form.get("next") ?? "/" };
}

function redirectTo(path: string, req: Request, cookie?: string): Response {
  const headers = new Headers({ location: new URL(path, req.url).toString(), "cache-control": "no-store" });
  if (cookie) headers.set("set-cookie", cookie);
  return new Response(null, { status: 303, headers });
}
