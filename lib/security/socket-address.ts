import http from "node:http";
import { isIP } from "node:net";
import { getEnv } from "@/lib/env";

/** The header the server stamps with the TCP peer's address (any value a client sends is replaced). */
export const SOCKET_ADDRESS_HEADER = "x-braid-socket-address";

const holder = globalThis as { __braidSocketStamp?: boolean };

/**
 * Makes every Node HTTP server in this process stamp each request with its socket's remote address
 * before Next.js sees it, overwriting whatever a client put in that header. Route handlers get no
 * socket; this is how the login limiter learns who is really connected. Idempotent.
 */
export function stampSocketAddresses(): void {
  if (holder.__braidSocketStamp) return;
  holder.__braidSocketStamp = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
    if (event === "request") {
      const req = args[0] as http.IncomingMessage;
      req.headers[SOCKET_ADDRESS_HEADER] = req.socket?.remoteAddress ?? "";
    }
    return (emit as (this: http.Server, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit;
}

/** Whether this process stamps socket addresses (else the header is a client's and is ignored). */
export function socketAddressesStamped(): boolean {
  return holder.__braidSocketStamp === true;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything else as given, trimmed. */
export function normalizeAddress(address: string): string {
  const a = address.trim();
  return a.toLowerCase().startsWith("::ffff:") && isIP(a.slice(7)) === 4 ? a.slice(7) : a.toLowerCase();
}

/** Whether `address` matches an entry of TRUSTED_PROXIES: an IP, or an IPv4 CIDR (`10.0.0.0/8`). */
export function isTrustedProxy(address: string, trusted: string[]): boolean {
  const a = normalizeAddress(address);
  return trusted.some((entry) => {
    const [base, bits] = entry.trim().split("/");
    if (!base) return false;
    if (bits === undefined) return normalizeAddress(base) === a;
    if (isIP(base) !== 4 || isIP(a) !== 4) return false;
    const n = Number(bits);
    if (!Number.isInteger(n) || n < 0 || n > 32) return false;
    const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
    return (ipv4ToInt(a) & mask) >>> 0 === (ipv4ToInt(base) & mask) >>> 0;
  });
}

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/**
 * Who is calling: the socket's address, or, when that is a trusted proxy, the right-most address in
 * `X-Forwarded-For` that is not itself a trusted proxy. Without a stamped socket address (in-process
 * tests, platforms without a Node server) the key is `"unknown"`: one shared bucket, never a
 * client-chosen one.
 */
export function clientAddress(req: Request, trustedProxies: string[]): string {
  const socket = socketAddressesStamped() ? req.headers.get(SOCKET_ADDRESS_HEADER) : null;
  if (!socket) return "unknown";
  let address = normalizeAddress(socket);
  if (!isTrustedProxy(address, trustedProxies)) return address;
  const hops = (req.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    address = normalizeAddress(hops[i] ?? "");
    if (!isTrustedProxy(address, trustedProxies)) return address;
  }
  return address;
}

/** Whether the request reached us over HTTPS (directly, or says so through a trusted proxy). */
export function requestIsHttps(req: Request, trustedProxies: string[]): boolean {
  if (new URL(req.url).protocol === "https:") return true;
  const socket = socketAddressesStamped() ? req.headers.get(SOCKET_ADDRESS_HEADER) : null;
  if (!socket || !isTrustedProxy(socket, trustedProxies)) return false;
  return req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** TRUSTED_PROXIES as a list. */
export function trustedProxies(): string[] {
  return (getEnv().TRUSTED_PROXIES ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
