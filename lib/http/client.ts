import dns from "node:dns";
import type { LookupFunction } from "node:net";
import net from "node:net";
import { Agent, type Dispatcher, request as undiciRequest } from "undici";
import type { HttpClient, HttpRequest, HttpResponse } from "@/lib/engine/ports";
import { getEnv } from "@/lib/env";
import { blockedAddressReason } from "./address-policy";

/** A resolved address, as `dns.lookup(host, { all: true })` gives them. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
/** Resolves a host name to its addresses; injectable so tests need no DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface HttpClientOptions {
  /** Lets requests reach loopback, private and other non-public addresses (self-hosting, tests). */
  allowPrivateNetwork?: boolean;
  /** `host` or `host:port` entries exempt from the address check. */
  allowedHosts?: string[];
  /** Default 10 MB. */
  maxResponseBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Whole-request timeout (all hops and the body); a request's own `timeoutMs` wins. Default 30 s. */
  timeoutMs?: number;
  /** Name resolution; defaults to the system resolver. */
  lookup?: Resolver;
}

/** Codes of `HttpClientError`. */
export type HttpClientErrorCode =
  | "ssrf_blocked"
  | "invalid_url"
  | "too_many_redirects"
  | "response_too_large"
  | "timeout"
  | "aborted"
  | "network";

/** A request the client refused or could not complete; `code` says which way. */
export class HttpClientError extends Error {
  constructor(
    readonly code: HttpClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HttpClientError";
  }
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 30_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials: dropped when a redirect leaves the origin. */
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

const systemResolver: Resolver = async (hostname) => {
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** How to let a node reach a refused host: the two settings that allow it, named. */
const ALLOW_HINT = (host: string) =>
  `; to allow it, add ${host} to HTTP_ALLOWED_HOSTS or set HTTP_ALLOW_PRIVATE_NETWORK=true`;

/**
 * The one HTTP client every node request goes through. Requests to hosts outside `allowedHosts`
 * pass the SSRF guard: only http(s); an IP literal is checked before connecting; a host name is
 * resolved inside the connection's own `lookup`, every address is checked and the socket connects
 * to exactly the checked addresses, so a DNS answer that changes between check and use (rebinding)
 * cannot slip through. Redirects are followed by hand and every hop is checked again.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const resolver = options.lookup ?? systemResolver;
  const allowed = new Set((options.allowedHosts ?? []).map(normalizeAllowedHost).filter(Boolean));

  /** Resolves, refuses any blocked address, and hands the checked addresses to the socket. */
  const lookupWith =
    (check: boolean): LookupFunction =>
    (hostname, lookupOptions, callback) => {
      const opts = lookupOptions as { all?: boolean; family?: number | string };
      resolveChecked(hostname, check, opts.family).then(
        (addresses) => {
          if (opts.all) (callback as (err: null, addresses: ResolvedAddress[]) => void)(null, addresses);
          else
            callback(
              null,
              (addresses[0] as ResolvedAddress).address,
              (addresses[0] as ResolvedAddress).family,
            );
        },
        (err: unknown) => callback(err as NodeJS.ErrnoException, "", 4),
      );
    };

  async function resolveChecked(hostname: string, check: boolean, family?: number | string) {
    const addresses = await resolver(hostname);
    if (check) {
      for (const a of addresses) {
        const reason = blockedAddressReason(a.address);
        if (reason)
          throw new HttpClientError(
            "ssrf_blocked",
            `blocked: ${hostname} resolves to ${a.address}, ${reason}${ALLOW_HINT(hostname)}`,
          );
      }
    }
    const wanted = family === 4 || family === "IPv4" ? 4 : family === 6 || family === "IPv6" ? 6 : 0;
    const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
    if (usable.length === 0) throw new HttpClientError("network", `could not resolve ${hostname}`);
    return usable;
  }

  const guarded = new Agent({ connect: { lookup: lookupWith(true) } });
  const open = new Agent({ connect: { lookup: lookupWith(false) } });

  /** The dispatcher for `url`, after the checks that can be made before connecting. */
  function dispatcherFor(url: URL): Dispatcher {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new HttpClientError(
        "ssrf_blocked",
        `blocked: ${url.protocol} URLs are not allowed; use http or https`,
      );
    }
    if (options.allowPrivateNetwork || isAllowedHost(url, allowed)) return open;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (net.isIP(host)) {
      const reason = blockedAddressReason(host);
      if (reason)
        throw new HttpClientError("ssrf_blocked", `blocked: ${host} is ${reason}${ALLOW_HINT(host)}`);
    }
    return guarded;
  }

  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const timeoutMs = req.timeoutMs ?? defaultTimeout;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      try {
        return await follow(req, signal);
      } catch (err) {
        throw describeFailure(err, signal, timeout, timeoutMs);
      }
    },
  };

  async function follow(req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    let url = parseUrl(req.url);
    let method = req.method.toUpperCase();
    let headers: Record<string, string> = { ...(req.headers ?? {}) };
    let body = encodeBody(req.body, headers);
    for (let hop = 0; ; hop++) {
      const dispatcher = dispatcherFor(url);
      const res = await undiciRequest(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        signal,
        dispatcher,
      });
      const location = headerValue(res.headers.location);
      if (!REDIRECT_STATUSES.has(res.statusCode) || !location) {
        const responseBody = await readCapped(res.body, maxBytes, headerValue(res.headers["content-length"]));
        const flatHeaders = flattenHeaders(res.headers);
        return {
          status: res.statusCode,
          headers: flatHeaders,
          body: decodeBody(responseBody, flatHeaders),
          url: url.toString(),
        };
      }
      await res.body.dump().catch(() => {});
      if (hop >= maxRedirects) {
        throw new HttpClientError(
          "too_many_redirects",
          `more than ${maxRedirects} redirects (last to ${location})`,
        );
      }
      const next = parseUrl(location, url);
      if (
        res.statusCode === 303 ||
        ((res.statusCode === 301 || res.statusCode === 302) && method === "POST")
      ) {
        method = method === "HEAD" ? "HEAD" : "GET";
        body = undefined;
        headers = withoutHeaders(headers, ["content-type", "content-length"]);
      }
      if (next.origin !== url.origin) headers = withoutHeaders(headers, [...CREDENTIAL_HEADERS]);
      url = next;
    }
  }
}

const globalForHttp = globalThis as unknown as { __braidHttpClients?: Map<string, HttpClient> };

/**
 * `createHttpClient` configured from HTTP_ALLOW_PRIVATE_NETWORK and HTTP_ALLOWED_HOSTS. Without
 * overrides the client is shared per configuration, so executions reuse its connection pools.
 */
export function createHttpClientFromEnv(overrides?: HttpClientOptions): HttpClient {
  const env = getEnv();
  const options: HttpClientOptions = {
    allowPrivateNetwork: env.HTTP_ALLOW_PRIVATE_NETWORK,
    allowedHosts: (env.HTTP_ALLOWED_HOSTS ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean),
  };
  if (overrides) return createHttpClient({ ...options, ...overrides });
  const key = `${options.allowPrivateNetwork}|${options.allowedHosts?.join(",")}`;
  globalForHttp.__braidHttpClients ??= new Map();
  let client = globalForHttp.__braidHttpClients.get(key);
  if (!client) {
    client = createHttpClient(options);
    globalForHttp.__braidHttpClients.set(key, client);
  }
  return client;
}

function parseUrl(raw: string, base?: URL): URL {
  try {
    return new URL(raw, base);
  } catch {
    throw new HttpClientError("invalid_url", `invalid URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
}

function normalizeAllowedHost(entry: string): string {
  const trimmed = entry.trim().toLowerCase();
  if (!trimmed) return "";
  try {
    const u = new URL(`http://${trimmed}`);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return trimmed;
  }
}

function isAllowedHost(url: URL, allowed: Set<string>): boolean {
  if (allowed.size === 0) return false;
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowed.has(host) || allowed.has(`${host}:${port}`);
}

function encodeBody(body: unknown, headers: Record<string, string>): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) {
    headers["content-type"] = "application/json";
  }
  return JSON.stringify(body);
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  const drop = new Set(names);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k.toLowerCase())));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

async function readCapped(
  body: AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown },
  maxBytes: number,
  declaredLength: string | undefined,
): Promise<Buffer> {
  const tooLarge = () =>
    new HttpClientError("response_too_large", `response body is over the ${maxBytes}-byte limit`);
  if (declaredLength !== undefined && Number(declaredLength) > maxBytes) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function decodeBody(raw: Buffer, headers: Record<string, string>): unknown {
  const text = raw.toString("utf8");
  const type = headers["content-type"] ?? "";
  if (/^application\/([\w.+-]+\+)?json\b/i.test(type) || /\/json\b/i.test(type)) {
    if (text.trim() === "") return null;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function describeFailure(err: unknown, signal: AbortSignal, timeout: AbortSignal, timeoutMs: number): Error {
  if (err instanceof HttpClientError) return err;
  const cause = findClientError(err);
  if (cause) return cause;
  if (signal.aborted) {
    if (timeout.aborted) return new HttpClientError("timeout", `request timed out after ${timeoutMs} ms`);
    return new HttpClientError("aborted", "request aborted");
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  return new HttpClientError(
    "network",
    `request failed: ${message}${typeof code === "string" ? ` (${code})` : ""}`,
  );
}

/** undici wraps connect errors; the guard's own error may sit in `cause`. */
function findClientError(err: unknown): HttpClientError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof HttpClientError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
