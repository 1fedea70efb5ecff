import "server-only";
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { getEnv } from "@/lib/env";

/** Name of the session cookie. */
export const SESSION_COOKIE = "braid_session";
/** How long a session lasts. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const TOKEN_VERSION = "v1";

/** Whether the instance is password-protected (APP_PASSWORD is set). */
export function isAuthEnabled(): boolean {
  return getEnv().APP_PASSWORD !== undefined;
}

let announced = false;

/** Logs once per process whether the instance is protected or open to anyone who can reach it. */
export function announceAuthMode(): void {
  if (announced) return;
  announced = true;
  if (isAuthEnabled()) console.info("braid: APP_PASSWORD is set; pages and API routes need a session");
  else
    console.warn(
      "braid: APP_PASSWORD is not set; this instance is OPEN: anyone who can reach it can edit and run workflows",
    );
}

/** Constant-time comparison of a submitted password with APP_PASSWORD; false when auth is off. */
export function checkPassword(candidate: unknown): boolean {
  const expected = getEnv().APP_PASSWORD;
  if (expected === undefined || typeof candidate !== "string") return false;
  const a = createHash("sha256").update(candidate).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The HMAC key for sessions: from APP_SECRET, or from APP_PASSWORD when APP_SECRET is unset.
 * The password is always mixed in, so changing it signs everybody out.
 */
function sessionKey(): Buffer | undefined {
  const env = getEnv();
  if (env.APP_PASSWORD === undefined) return undefined;
  if (keyCache?.password === env.APP_PASSWORD && keyCache.secret === env.APP_SECRET) return keyCache.key;
  const passwordHash = createHash("sha256").update(env.APP_PASSWORD).digest("hex");
  const material = env.APP_SECRET ?? `password:${env.APP_PASSWORD}`;
  const key = Buffer.from(hkdfSync("sha256", material, "braid", `braid session v1:${passwordHash}`, 32));
  keyCache = { password: env.APP_PASSWORD, secret: env.APP_SECRET, key };
  return key;
}
let keyCache: { password: string; secret: string | undefined; key: Buffer } | undefined;

function sign(key: Buffer, payload: string): string {
  return createHmac("sha256", key).update(payload).digest("base64url");
}

/** A new signed session value `v1.<expiresAt>.<nonce>.<hmac>`; throws when auth is off. */
export function createSessionToken(now: number = Date.now()): string {
  const key = sessionKey();
  if (!key) throw new Error("sessions need APP_PASSWORD");
  const payload = `${TOKEN_VERSION}.${(now + SESSION_TTL_MS).toString(36)}.${randomBytes(12).toString("base64url")}`;
  return `${payload}.${sign(key, payload)}`;
}

/** An authentic, unexpired session: its id (the cookie's nonce) and when it expires. */
export interface VerifiedSession {
  id: string;
  expiresAt: number;
}

/** The session a cookie value holds when it is authentic and unexpired, else undefined. */
export function parseSessionCookie(
  value: string | undefined | null,
  now: number = Date.now(),
): VerifiedSession | undefined {
  const key = sessionKey();
  if (!key || !value || value.length > 256) return undefined;
  const parts = value.split(".");
  if (parts.length !== 4 || parts[0] !== TOKEN_VERSION) return undefined;
  const payload = parts.slice(0, 3).join(".");
  const given = Buffer.from(parts[3] ?? "", "base64url");
  const expected = Buffer.from(sign(key, payload), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const expiresAt = Number.parseInt(parts[1] ?? "", 36);
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return undefined;
  return { id: parts[2] ?? "", expiresAt };
}

/**
 * Whether a session cookie value is authentic and unexpired (its signature only: whether it was
 * revoked by a logout is `sessionIsLive` in lib/security/sessions.ts, which the gate uses).
 */
export function verifySessionCookie(value: string | undefined | null, now: number = Date.now()): boolean {
  return parseSessionCookie(value, now) !== undefined;
}

/**
 * Cookie attributes for the session: httpOnly, SameSite=Lax, and Secure when the request came over
 * HTTPS (so a plain-HTTP LAN host can still sign in).
 */
export function sessionCookieOptions(maxAgeMs: number = SESSION_TTL_MS, secure = false) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
    path: "/",
    maxAge: Math.floor(maxAgeMs / 1000),
  };
}

/** A `Set-Cookie` header value for `value` (empty value and Max-Age=0 clear it). */
export function serializeSessionCookie(
  value: string,
  maxAgeMs: number = SESSION_TTL_MS,
  secure = false,
): string {
  const o = sessionCookieOptions(maxAgeMs, secure);
  return [
    `${SESSION_COOKIE}=${value}`,
    `Path=${o.path}`,
    `Max-Age=${o.maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(o.secure ? ["Secure"] : []),
  ].join("; ");
}

/** Reads the session cookie from a `Cookie` header. */
export function sessionFromCookieHeader(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A same-site path to return to after login; anything else (absolute, `//host`, `/\\host`) is `/`. */
export function safeNextPath(next: unknown): string {
  if (typeof next !== "string" || next.length > 2048) return "/";
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (next.includes("\\") || [...next].some((c) => c.charCodeAt(0) < 0x20)) return "/";
  if (new URL(next, "http://braid.invalid").origin !== "http://braid.invalid") return "/";
  if (next === "/login" || next.startsWith("/login?") || next.startsWith("/api/auth/")) return "/";
  return next;
}
