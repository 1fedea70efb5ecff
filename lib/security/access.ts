/**
 * Which requests anyone may make when APP_PASSWORD is set; everything else needs a session.
 * Deny by default: a path is public only when it matches an entry exactly (or lies under a listed
 * prefix) and carries no percent-encoding, backslash or dot segment that could make the router see
 * something other than what is checked here. Share links are public for reading only; incoming
 * webhooks are public (their URL token is checked by the route).
 */
const PUBLIC_EXACT = new Set(["/api/cron/drain", "/api/auth/login", "/api/auth/logout"]);
const READ_ONLY_EXACT = new Set([
  "/login",
  "/favicon.ico",
  "/icon.svg",
  "/robots.txt",
  "/manifest.webmanifest",
  "/_next/image",
  // The route itself checks a session or `Bearer METRICS_TOKEN` (Prometheus has no cookie).
  "/api/metrics",
]);
const READ_ONLY_PREFIXES = ["/share/", "/api/share/", "/approve/", "/_next/static/"];
/** Incoming webhooks and resume links: the secret token in the URL is their credential. */
const PUBLIC_PREFIXES = ["/api/webhooks/", "/api/resume/"];

const underPrefix = (path: string, prefixes: string[]) =>
  prefixes.some((prefix) => path.startsWith(prefix) && path.length > prefix.length);

/**
 * Whether a request for `pathname` with `method` is allowed without a session. A server action
 * call (`Next-Action` header) is never public, whatever page it is posted to.
 */
export function isPublicRequest(pathname: string, method = "GET", headers?: Headers): boolean {
  if (headers?.has("next-action")) return false;
  if (/%|\\|\/\.\.?(\/|$)/.test(pathname)) return false;
  const path = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  if (PUBLIC_EXACT.has(path) || underPrefix(path, PUBLIC_PREFIXES)) return true;
  if (method !== "GET" && method !== "HEAD") return false;
  return READ_ONLY_EXACT.has(path) || underPrefix(path, READ_ONLY_PREFIXES);
}

/** Whether `pathname` is an API route (answered with 401 JSON rather than a redirect). */
export function isApiPath(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/");
}

/**
 * Why a request URL must be refused before any route sees it, or `undefined`: a NUL byte (`%00`)
 * in the path or query decodes into route params that Postgres cannot even compare; a path whose
 * percent-encoding is not UTF-8 (`/api/workflows/%ff%fe`) cannot be decoded into params at all.
 */
export function unsafeUrlReason(pathname: string, search: string): string | undefined {
  if (/%00/i.test(pathname)) return "path: contains a NUL character (%00)";
  if (/%00/i.test(search)) return "query: contains a NUL character (%00)";
  try {
    decodeURIComponent(pathname);
  } catch {
    return "path: malformed percent-encoding (not UTF-8)";
  }
  return undefined;
}
