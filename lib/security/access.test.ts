import { sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as logout } from "@/app/api/auth/logout/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { proxy } from "@/proxy";
import {
  createSessionToken,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  safeNextPath,
  sessionFromCookieHeader,
  verifySessionCookie,
} from "./auth";
import { createDatabaseLoginLimiter, createLoginLimiter } from "./login-limiter";
import { clientAddress, requestIsHttps, SOCKET_ADDRESS_HEADER, stampSocketAddresses } from "./socket-address";

const saved = { ...process.env };
function setEnv(vars: Record<string, string | undefined>) {
  process.env = { ...saved };
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnv();
}
// Sessions are checked against the revocations, and sign-in failures counted, in the database.
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  setDatabase(database);
});
afterAll(async () => {
  setEnv({});
  setDatabase(undefined);
  await database?.close();
});

const BASE = "http://braid.test";
const request = (path: string, init: { method?: string; cookie?: string } = {}) =>
  new NextRequest(new URL(path, BASE), {
    method: init.method ?? "GET",
    headers: init.cookie ? { cookie: `${SESSION_COOKIE}=${init.cookie}` } : {},
  });
const passed = (res: Response) => res.headers.get("x-middleware-next") === "1";

describe("proxy with APP_PASSWORD set", () => {
  beforeEach(() => setEnv({ APP_PASSWORD: "correct horse", APP_SECRET: "s3cret-key" }));

  it.each([
    ["GET", "/api/workflows"],
    ["POST", "/api/workflows"],
    ["GET", "/api/workflows/wf1"],
    ["PUT", "/api/workflows/wf1"],
    ["DELETE", "/api/workflows/wf1"],
    ["POST", "/api/workflows/wf1/run"],
    ["POST", "/api/workflows/wf1/nodes/fetch/run"],
    ["GET", "/api/workflows/wf1/executions"],
    ["GET", "/api/executions/ex1"],
    ["GET", "/api/executions/ex1/events"],
    ["POST", "/api/executions/ex1/cancel"],
    ["POST", "/api/executions/ex1/retry"],
    ["POST", "/api/executions/ex1/share"],
    ["DELETE", "/api/executions/ex1/share"],
    ["POST", "/api/executions/ex1/rerun"],
    ["GET", "/api/workflows/wf1/versions"],
    ["GET", "/api/workflows/wf1/versions/2"],
    ["POST", "/api/workflows/wf1/versions/2/restore"],
    ["POST", "/api/workflows/wf1/executions/retry"],
    ["GET", "/api/workflows/wf1/webhooks"],
    ["POST", "/api/workflows/wf1/webhooks"],
    ["DELETE", "/api/workflows/wf1/webhooks/start"],
    ["POST", "/api/webhooks"],
    ["POST", "/api/webhooks/..%2fworkflows"],
    ["POST", "/api/webhooks/../workflows"],
    ["POST", "/api/share/tok/run"],
    ["GET", "/api/cron/drain/../../workflows"],
    ["GET", "/api/%77orkflows"],
    ["GET", "/share/..%2f..%2fapi/workflows"],
    ["POST", "/"],
  ])("refuses an anonymous %s %s with 401 JSON", async (method, path) => {
    const res = await proxy(request(path, { method }));
    if (path.startsWith("/share/") && method === "GET") {
      expect(res.status).toBe(307);
      return;
    }
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("refuses a server action call without a session on any path, public ones included", async () => {
    for (const path of ["/login", "/share/abcDEF123", "/", "/api/auth/login"]) {
      const res = await proxy(
        new NextRequest(new URL(path, BASE), {
          method: "POST",
          headers: { "next-action": "7f00aa", accept: "text/x-component" },
        }),
      );
      expect(res.status, path).toBe(401);
    }
  });

  it("redirects an anonymous page visit to /login with the path to return to", async () => {
    const res = await proxy(request("/workflows/wf1?tab=runs"));
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("next")).toBe("/workflows/wf1?tab=runs");
  });

  it.each([
    "/login",
    "/share/abcDEF123",
    "/api/auth/login",
    "/api/auth/logout",
    "/api/cron/drain",
    "/api/webhooks/abcDEF123",
    "/_next/static/x.js",
  ])("lets %s through without a session", async (path) => {
    const method = path.startsWith("/api/auth") || path.startsWith("/api/webhooks") ? "POST" : "GET";
    expect(passed(await proxy(request(path, { method })))).toBe(true);
  });

  it("lets a valid session through and refuses tampered, expired and foreign ones", async () => {
    const token = createSessionToken();
    expect(passed(await proxy(request("/api/workflows", { cookie: token })))).toBe(true);
    expect(passed(await proxy(request("/workflows/x", { cookie: token })))).toBe(true);

    const [v, exp, nonce, sig] = token.split(".");
    const later = (Number.parseInt(exp ?? "", 36) + 1e9).toString(36);
    expect(verifySessionCookie(`${v}.${later}.${nonce}.${sig}`)).toBe(false);
    expect(verifySessionCookie(`${token.slice(0, -2)}AA`)).toBe(false);
    expect(verifySessionCookie(createSessionToken(Date.now() - SESSION_TTL_MS - 1))).toBe(false);
    expect(verifySessionCookie("")).toBe(false);
    expect(verifySessionCookie("v1.x.y")).toBe(false);

    setEnv({ APP_PASSWORD: "another password", APP_SECRET: "s3cret-key" });
    expect(verifySessionCookie(token)).toBe(false);
    expect((await proxy(request("/api/workflows", { cookie: token }))).status).toBe(401);
  });

  it("signs with a key derived from APP_PASSWORD when APP_SECRET is unset", () => {
    setEnv({ APP_PASSWORD: "only-password" });
    const token = createSessionToken();
    expect(verifySessionCookie(token)).toBe(true);
    setEnv({ APP_PASSWORD: "only-password", APP_SECRET: "now-set" });
    expect(verifySessionCookie(token)).toBe(false);
  });
});

describe("proxy URL hygiene", () => {
  it.each(["/api/workflows/%00", "/api/executions/a%00b/events", "/api/workflows?cursor=%00", "/share/%00"])(
    "refuses %s with 400 whether or not auth is on",
    async (path) => {
      for (const password of [undefined, "pw"]) {
        setEnv({ APP_PASSWORD: password });
        const res = await proxy(request(path, { cookie: password ? createSessionToken() : undefined }));
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error: { code: "invalid_request" } });
      }
    },
  );
});

describe("proxy without APP_PASSWORD", () => {
  it("lets everything through (open instance)", async () => {
    setEnv({ APP_PASSWORD: undefined });
    expect(passed(await proxy(request("/api/workflows", { method: "POST" })))).toBe(true);
    expect(passed(await proxy(request("/workflows/x")))).toBe(true);
  });
});

describe("login and logout routes", () => {
  beforeEach(() => {
    setEnv({ APP_PASSWORD: "correct horse", APP_SECRET: "s3cret-key" });
    stampSocketAddresses();
    (globalThis as { __braidLoginLimiter?: unknown }).__braidLoginLimiter = undefined;
  });
  /** A JSON sign-in as the server sees it from socket address `ip` (the stamp the server adds). */
  const jsonLogin = (body: unknown, ip = "203.0.113.9", headers: Record<string, string> = {}, base = BASE) =>
    login(
      new Request(`${base}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", [SOCKET_ADDRESS_HEADER]: ip, ...headers },
        body: JSON.stringify(body),
      }),
      undefined,
    );

  it("refuses a wrong password with 401 and no cookie, accepts the right one with a session cookie", async () => {
    const bad = await jsonLogin({ password: "wrong" }, "198.51.100.1");
    expect(bad.status).toBe(401);
    expect(bad.headers.get("set-cookie")).toBeNull();
    const good = await jsonLogin(
      { password: "correct horse", next: "https://evil.example/" },
      "198.51.100.1",
    );
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ ok: true, next: "/" });
    const cookie = good.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(verifySessionCookie(sessionFromCookieHeader(cookie.split(";")[0]))).toBe(true);
  });

  it("answers bad bodies with a 4xx naming the field", async () => {
    const res = await jsonLogin({ password: 42 }, "198.51.100.2");
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toMatch(/^password:/);
    const notJson = await login(
      new Request(`${BASE}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{",
      }),
      undefined,
    );
    expect(notJson.status).toBe(400);
  });

  it("handles the HTML form: 303 to next with a cookie, or back to /login with the error", async () => {
    const form = (password: string) =>
      login(
        new Request(`${BASE}/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": "198.51.100.3" },
          body: new URLSearchParams({ password, next: "/workflows/abc" }).toString(),
        }),
        undefined,
      );
    const bad = await form("nope");
    expect(bad.status).toBe(303);
    expect(bad.headers.get("location")).toBe(`${BASE}/login?error=invalid&next=%2Fworkflows%2Fabc`);
    const good = await form("correct horse");
    expect(good.status).toBe(303);
    expect(good.headers.get("location")).toBe(`${BASE}/workflows/abc`);
    expect(good.headers.get("set-cookie")).toContain(`${SESSION_COOKIE}=v1.`);
  });

  it("refuses an oversized form body with 413", async () => {
    const res = await login(
      new Request(`${BASE}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `password=${"x".repeat(20_000)}`,
      }),
      undefined,
    );
    expect(res.status).toBe(413);
  });

  it("slows down repeated failures from one socket address, whatever X-Forwarded-For says; others pass", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await jsonLogin({ password: `guess${i}` }, "192.0.2.77", {
        "x-forwarded-for": `198.18.0.${i}`,
      });
      expect(res.status).toBe(401);
    }
    const slowed = await jsonLogin({ password: "correct horse" }, "192.0.2.77", {
      "x-forwarded-for": "198.18.9.9",
    });
    expect(slowed.status).toBe(429);
    expect(slowed.headers.get("retry-after")).toBe("1");
    expect((await jsonLogin({ password: "correct horse" }, "192.0.2.78")).status).toBe(200);
  });

  it("sets Secure on the cookie only when the request came over HTTPS", async () => {
    const plain = await jsonLogin({ password: "correct horse" }, "192.0.2.10");
    expect(plain.headers.get("set-cookie")).not.toMatch(/Secure/);
    const tls = await jsonLogin({ password: "correct horse" }, "192.0.2.10", {}, "https://braid.test");
    expect(tls.headers.get("set-cookie")).toMatch(/; Secure/);
    const spoofed = await jsonLogin({ password: "correct horse" }, "192.0.2.10", {
      "x-forwarded-proto": "https",
    });
    expect(spoofed.headers.get("set-cookie")).not.toMatch(/Secure/);
    setEnv({ APP_PASSWORD: "correct horse", APP_SECRET: "s3cret-key", TRUSTED_PROXIES: "10.0.0.0/8" });
    const proxied = await jsonLogin({ password: "correct horse" }, "10.1.2.3", {
      "x-forwarded-proto": "https",
    });
    expect(proxied.headers.get("set-cookie")).toMatch(/; Secure/);
  });

  it("logout clears the cookie", async () => {
    const res = await logout(new Request(`${BASE}/api/auth/logout`, { method: "POST" }), undefined);
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=; .*Max-Age=0`));
  });

  it("logout revokes the session server-side: a copy of the cookie is refused afterwards", async () => {
    const good = await jsonLogin({ password: "correct horse" }, "192.0.2.30");
    const token = sessionFromCookieHeader(good.headers.get("set-cookie")?.split(";")[0]) ?? "";
    const other = sessionFromCookieHeader(
      (await jsonLogin({ password: "correct horse" }, "192.0.2.31")).headers.get("set-cookie")?.split(";")[0],
    );
    expect(passed(await proxy(request("/api/workflows", { cookie: token })))).toBe(true);
    const out = await logout(
      new Request(`${BASE}/api/auth/logout`, {
        method: "POST",
        headers: { cookie: `${SESSION_COOKIE}=${token}` },
      }),
      undefined,
    );
    expect(out.status).toBe(200);
    // The copied cookie still has a valid signature, but the gate refuses it: 401 JSON, page redirect.
    expect(verifySessionCookie(token)).toBe(true);
    const api = await proxy(request("/api/workflows", { cookie: token }));
    expect(api.status).toBe(401);
    expect((await proxy(request("/workflows/x", { cookie: token }))).status).toBe(307);
    // The revocation is in the database, where every process reads it.
    const [row] = await query<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from revoked_sessions`,
    );
    expect(row?.n).toBeGreaterThanOrEqual(1);
    // Another session is unaffected.
    expect(passed(await proxy(request("/api/workflows", { cookie: other })))).toBe(true);
  });

  it("logout deletes revocations whose cookies have expired", async () => {
    await database.db.execute(
      sql`insert into revoked_sessions (id, expires_at) values ('old-one', now() - interval '1 day')`,
    );
    const token = createSessionToken();
    await logout(
      new Request(`${BASE}/api/auth/logout`, {
        method: "POST",
        headers: { cookie: `${SESSION_COOKIE}=${token}` },
      }),
      undefined,
    );
    const ids = await query<{ id: string }>(database.db, sql`select id from revoked_sessions`);
    expect(ids.map((r) => r.id)).not.toContain("old-one");
    expect(ids.map((r) => r.id)).toContain(token.split(".")[2]);
  });
});

describe("the login limiter shared through the database", () => {
  it("counts one client's failures across two limiter instances (two processes), never a lockout", async () => {
    const a = createDatabaseLoginLimiter(() => database.db, { free: 3, globalFreePerMinute: 1000 });
    const b = createDatabaseLoginLimiter(() => database.db, { free: 3, globalFreePerMinute: 1000 });
    await a.fail("198.51.100.50");
    await b.fail("198.51.100.50");
    expect(await a.waitMs("198.51.100.50")).toBe(0);
    await a.fail("198.51.100.50");
    // Third failure, made through A: B slows the client down (1 s after it), others pass.
    const wait = await b.waitMs("198.51.100.50");
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1000);
    expect(await b.waitMs("198.51.100.51")).toBe(0);
    await b.succeed("198.51.100.50");
    expect(await a.waitMs("198.51.100.50")).toBe(0);
  });

  it("slows everyone down when many addresses fail at once, whichever process counted them", async () => {
    await database.db.execute(sql`delete from login_failures`);
    const a = createDatabaseLoginLimiter(() => database.db, { globalFreePerMinute: 4 });
    const b = createDatabaseLoginLimiter(() => database.db, { globalFreePerMinute: 4 });
    for (let i = 0; i < 2; i++) await a.fail(`bot-a-${i}`);
    for (let i = 0; i < 2; i++) await b.fail(`bot-b-${i}`);
    expect(await a.waitMs("real-user")).toBeGreaterThan(0);
    expect(await b.waitMs("real-user")).toBeGreaterThan(0);
  });

  it("deletes client rows whose window ended when the global window turns over", async () => {
    await database.db.execute(sql`delete from login_failures`);
    await database.db.execute(
      sql`insert into login_failures (key, count, since, last)
        values ('client:stale', 9, now() - interval '1 hour', now() - interval '1 hour')`,
    );
    const a = createDatabaseLoginLimiter(() => database.db);
    expect(await a.waitMs("stale")).toBe(0);
    await a.fail("fresh");
    const keys = await query<{ key: string }>(database.db, sql`select key from login_failures`);
    expect(keys.map((k) => k.key).sort()).toEqual(["client:fresh", "global"]);
  });
});

describe("the login limiter", () => {
  it("never locks out: the wait doubles per failure past the free ones, capped, and a window expires", () => {
    const limiter = createLoginLimiter({ free: 2, maxDelayMs: 4000, windowMs: 100_000 });
    limiter.fail("k", 0);
    expect(limiter.waitMs("k", 0)).toBe(0);
    limiter.fail("k", 10);
    expect(limiter.waitMs("k", 10)).toBe(1000);
    expect(limiter.waitMs("k", 1010)).toBe(0);
    limiter.fail("k", 1010);
    expect(limiter.waitMs("k", 1010)).toBe(2000);
    for (let t = 4000; t < 4010; t++) limiter.fail("k", t);
    expect(limiter.waitMs("k", 4010)).toBe(3999);
    expect(limiter.waitMs("other", 4010)).toBe(0);
    expect(limiter.waitMs("k", 200_000)).toBe(0);
  });

  it("slows everyone down a little when many addresses fail at once", () => {
    const limiter = createLoginLimiter({ globalFreePerMinute: 3 });
    for (let i = 0; i < 3; i++) limiter.fail(`bot-${i}`, 1000 + i);
    expect(limiter.waitMs("real-user", 1002)).toBe(1000);
    expect(limiter.waitMs("real-user", 2002)).toBe(0);
    expect(limiter.waitMs("real-user", 70_000)).toBe(0);
  });

  it.each([
    ["direct client: its socket", "203.0.113.5", "1.1.1.1", "", "203.0.113.5"],
    ["IPv4-mapped socket", "::ffff:203.0.113.5", "", "", "203.0.113.5"],
    ["trusted proxy: the client it forwards", "10.0.0.2", "203.0.113.7", "10.0.0.0/8", "203.0.113.7"],
    [
      "trusted chain: right-most untrusted hop",
      "10.0.0.2",
      "6.6.6.6, 203.0.113.7, 10.0.0.3",
      "10.0.0.0/8",
      "203.0.113.7",
    ],
    ["untrusted peer sending X-Forwarded-For", "198.51.100.4", "10.9.9.9", "10.0.0.0/8", "198.51.100.4"],
  ])("clientAddress: %s", (_name, socket, forwarded, trusted, expected) => {
    stampSocketAddresses();
    const req = new Request(BASE, {
      headers: { [SOCKET_ADDRESS_HEADER]: socket, ...(forwarded ? { "x-forwarded-for": forwarded } : {}) },
    });
    expect(clientAddress(req, trusted ? [trusted] : [])).toBe(expected);
    expect(requestIsHttps(req, [])).toBe(false);
  });
});

describe("safeNextPath", () => {
  it.each([
    ["/workflows/1?x=2", "/workflows/1?x=2"],
    ["https://evil.example", "/"],
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["/\tevil", "/"],
    ["/login", "/"],
    [42, "/"],
  ])("%s → %s", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });
});
