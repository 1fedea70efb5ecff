/**
 * The web boundary's checks on every request, before any route reads it: which Host names this
 * instance answers to (DNS rebinding) and which state-changing requests come from another site
 * (cross-site request forgery). Pure: the proxy passes in the method, path, headers and settings.
 */

/** Paths servers call with a token in the URL (or CRON_SECRET) as their credential. */
const SERVER_PREFIXES = ["/api/webhooks/", "/api/resume/"];
const SERVER_EXACT = new Set(["/api/cron/drain"]);

/** Host names every instance answers to, on any port. */
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether `pathname` is a route servers call (webhooks, resume links, the cron drain). */
export function isServerRoute(pathname: string): boolean {
  const path = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  return SERVER_EXACT.has(path) || SERVER_PREFIXES.some((p) => path.startsWith(p));
}

/** Settings of the guard, from APP_URL, ALLOWED_HOSTS and the platform's own URLs. */
export interface GuardSettings {
  /** Lowercased host names (no port) or `host:port` entries; `*` allows any Host. */
  allowedHosts: string[];
  /** The configured names (APP_URL, ALLOWED_HOSTS, the platform's): pages there may write here. */
  trustedOriginHosts: string[];
}

/**
 * The hosts to accept: loopback names, APP_URL's host, each entry of ALLOWED_HOSTS (comma
 * separated, `*` for any) and, on Vercel, the deployment's own URLs.
 */
export function guardSettings(env: {
  APP_URL?: string;
  ALLOWED_HOSTS?: string;
  VERCEL_URL?: string;
  VERCEL_BRANCH_URL?: string;
  VERCEL_PROJECT_PRODUCTION_URL?: string;
}): GuardSettings {
  const configured: string[] = [];
  if (env.APP_URL) configured.push(new URL(env.APP_URL).host);
  for (const entry of (env.ALLOWED_HOSTS ?? "").split(",")) if (entry.trim()) configured.push(entry.trim());
  for (const url of [env.VERCEL_URL, env.VERCEL_BRANCH_URL, env.VERCEL_PROJECT_PRODUCTION_URL])
    if (url) configured.push(url.replace(/^https?:\/\//, "").replace(/\/.*$/, ""));
  const lower = configured.map((h) => h.toLowerCase());
  return {
    allowedHosts: [...LOOPBACK_HOSTS, ...lower],
    trustedOriginHosts: lower.filter((h) => h !== "*"),
  };
}

/** `Host`-style `name[:port]` → `{ name, port }`, lowercased; `undefined` when malformed. */
function splitHost(host: string): { name: string; port: string } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!m?.[1]) return undefined;
  return { name: m[1].toLowerCase(), port: m[2] ?? "" };
}

/** Whether a `Host` header value names this instance under `settings`. */
export function isAllowedHost(host: string, settings: GuardSettings): boolean {
  if (settings.allowedHosts.includes("*")) return true;
  const given = splitHost(host);
  if (!given) return false;
  return settings.allowedHosts.some((entry) => {
    const allowed = splitHost(entry);
    if (!allowed || allowed.name !== given.name) return false;
    return allowed.port === "" || allowed.port === given.port;
  });
}

/** A refusal: the HTTP status, a stable code and a message naming the header. */
export interface GuardRefusal {
  status: 403 | 421;
  code: string;
  message: string;
}

/**
 * Why a request must be refused before any route sees it, or `undefined`.
 * - A `Host` this instance does not answer to → 421 (a page on a rebound DNS name cannot talk to
 *   it). Requests without a Host header (in-process tests) are not checked.
 * - A state-changing method (anything but GET/HEAD/OPTIONS) whose `Sec-Fetch-Site` is
 *   `cross-site` or `same-site`, or whose `Origin` is `null` or another host → 403.
 * Server routes (webhooks, /api/resume/*, /api/cron/drain) skip both: their token is the credential.
 */
export function requestRefusal(
  method: string,
  pathname: string,
  headers: Headers,
  settings: GuardSettings,
): GuardRefusal | undefined {
  if (isServerRoute(pathname)) return undefined;
  const host = headers.get("host");
  if (host !== null && !isAllowedHost(host, settings)) {
    return {
      status: 421,
      code: "unknown_host",
      message: `host: "${host.slice(0, 100)}" is not a name of this instance; add it to ALLOWED_HOSTS or set APP_URL`,
    };
  }
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  const site = headers.get("sec-fetch-site")?.toLowerCase();
  if (site === "cross-site" || site === "same-site") {
    return {
      status: 403,
      code: "cross_site_request",
      message: `sec-fetch-site: ${site} requests may not change anything here`,
    };
  }
  const origin = headers.get("origin");
  if (origin !== null && !sameHostOrigin(origin, headers, settings)) {
    return {
      status: 403,
      code: "cross_site_request",
      message: `origin: "${origin.slice(0, 100)}" is another site; requests from it may not change anything here`,
    };
  }
  return undefined;
}

/**
 * Whether `origin` is this instance: its host equals the request's Host or X-Forwarded-Host (any
 * scheme, since a TLS proxy may terminate in front of us) or a configured name of the instance.
 */
function sameHostOrigin(origin: string, headers: Headers, settings: GuardSettings): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === "null" || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return false;
  const originHost = parsed.host.toLowerCase();
  const own = [headers.get("host"), headers.get("x-forwarded-host")?.split(",")[0]];
  if (own.some((h) => h && h.trim().toLowerCase() === originHost)) return true;
  return isAllowedHost(originHost, { allowedHosts: settings.trustedOriginHosts, trustedOriginHosts: [] });
}
