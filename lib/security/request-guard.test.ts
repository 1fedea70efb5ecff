import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as createWorkflowRoute } from "@/app/api/workflows/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { workflows } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import nextConfig, { SECURITY_HEADERS } from "@/next.config";
import { proxy } from "@/proxy";
import { guardSettings, isAllowedHost, requestRefusal } from "./request-guard";

const saved = { ...process.env };
function setEnv(vars: Record<string, string | undefined>) {
  process.env = { ...saved };
  for (const key of ["APP_PASSWORD", "APP_SECRET", "APP_URL", "ALLOWED_HOSTS", "VERCEL_URL"])
    delete process.env[key];
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) process.env[k] = v;
  resetEnv();
}
afterAll(() => {
  process.env = saved;
  resetEnv();
});

const def = {
  version: 1,
  name: "Exfiltrate",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "out", type: "output", config: { value: "inputs" } },
  ],
  edges: [{ source: "start", target: "out" }],
};

/** The request of issue 17 item 1: a page on another site posts a workflow as text/plain. */
const attack = (url = "http://localhost:3000/api/workflows") =>
  new NextRequest(url, {
    method: "POST",
    headers: {
      host: "localhost:3000",
      origin: "https://attacker.example",
      "sec-fetch-site": "cross-site",
      "content-type": "text/plain;charset=UTF-8",
    },
    body: JSON.stringify(def),
  });

const passed = (res: Response) => res.headers.get("x-middleware-next") === "1";

describe("requestRefusal", () => {
  const settings = guardSettings({});
  const h = (headers: Record<string, string>) => new Headers(headers);
  const cases: Array<[string, string, string, Record<string, string>, number | undefined]> = [
    [
      "same-origin POST",
      "POST",
      "/api/workflows",
      { host: "localhost:3000", origin: "http://localhost:3000" },
      undefined,
    ],
    ["POST without Origin (curl)", "POST", "/api/workflows", { host: "127.0.0.1:3101" }, undefined],
    [
      "foreign Origin POST",
      "POST",
      "/api/workflows",
      { host: "localhost:3000", origin: "https://evil.example" },
      403,
    ],
    ["Origin null", "POST", "/api/workflows", { host: "localhost:3000", origin: "null" }, 403],
    [
      "other port on localhost",
      "PUT",
      "/api/workflows/x",
      { host: "localhost:3000", origin: "http://localhost:8080" },
      403,
    ],
    [
      "Sec-Fetch-Site cross-site",
      "DELETE",
      "/api/secrets/x",
      { host: "localhost:3000", "sec-fetch-site": "cross-site" },
      403,
    ],
    [
      "Sec-Fetch-Site same-site",
      "POST",
      "/api/workflows",
      { host: "localhost", "sec-fetch-site": "same-site" },
      403,
    ],
    [
      "Sec-Fetch-Site same-origin",
      "POST",
      "/api/workflows",
      { host: "localhost", "sec-fetch-site": "same-origin" },
      undefined,
    ],
    [
      "Sec-Fetch-Site none (typed URL)",
      "POST",
      "/api/workflows",
      { host: "localhost", "sec-fetch-site": "none" },
      undefined,
    ],
    [
      "server action from another site",
      "POST",
      "/",
      { host: "localhost:3000", origin: "https://evil.example", "next-action": "abc" },
      403,
    ],
    [
      "cross-site GET (a link)",
      "GET",
      "/workflows/x",
      { host: "localhost:3000", "sec-fetch-site": "cross-site" },
      undefined,
    ],
    ["rebound DNS name", "GET", "/api/secrets", { host: "attacker.example:3000" }, 421],
    [
      "rebound DNS name, POST",
      "POST",
      "/api/workflows",
      { host: "rebind.attacker.example", origin: "http://rebind.attacker.example" },
      421,
    ],
    ["IPv6 loopback", "GET", "/", { host: "[::1]:3000" }, undefined],
    ["127.0.0.1 any port", "GET", "/", { host: "127.0.0.1:49152" }, undefined],
    ["malformed Host", "GET", "/", { host: "local host" }, 421],
    [
      "webhook from another site",
      "POST",
      "/api/webhooks/tok",
      { host: "hooks.internal", origin: "https://evil.example" },
      undefined,
    ],
    [
      "resume link",
      "POST",
      "/api/resume/tok",
      { host: "svc:3000", "sec-fetch-site": "cross-site" },
      undefined,
    ],
    ["cron drain", "POST", "/api/cron/drain", { host: "braid-internal:3000" }, undefined],
    [
      "proxy sets X-Forwarded-Host",
      "POST",
      "/api/workflows",
      { host: "localhost:3000", "x-forwarded-host": "localhost:8443", origin: "https://localhost:8443" },
      undefined,
    ],
  ];
  it.each(cases)("%s", (_name, method, path, headers, status) => {
    expect(requestRefusal(method, path, h(headers), settings)?.status).toBe(status);
  });

  it("accepts APP_URL's host and ALLOWED_HOSTS entries, as Host and as Origin", () => {
    const configured = guardSettings({
      APP_URL: "https://braid.example.com",
      ALLOWED_HOSTS: "lan-box:3000, other.example",
    });
    expect(isAllowedHost("braid.example.com", configured)).toBe(true);
    expect(isAllowedHost("BRAID.example.com", configured)).toBe(true);
    expect(isAllowedHost("lan-box:3000", configured)).toBe(true);
    expect(isAllowedHost("lan-box:3001", configured)).toBe(false);
    expect(isAllowedHost("other.example:1234", configured)).toBe(true);
    expect(isAllowedHost("evil.example", configured)).toBe(false);
    // A TLS proxy in front forwards to 127.0.0.1 without keeping Host: the page's Origin is APP_URL.
    const behindProxy = h({ host: "127.0.0.1:3000", origin: "https://braid.example.com" });
    expect(requestRefusal("POST", "/api/workflows", behindProxy, configured)).toBeUndefined();
    expect(requestRefusal("POST", "/api/workflows", behindProxy, guardSettings({}))?.status).toBe(403);
    expect(isAllowedHost("anything.example", guardSettings({ ALLOWED_HOSTS: "*" }))).toBe(true);
  });
});

describe("the proxy refuses cross-site writes and foreign hosts", () => {
  beforeEach(() => setEnv({}));

  it("answers the text/plain attack from a foreign Origin with 403 JSON", async () => {
    const res = await proxy(attack());
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "cross_site_request" } });
  });

  it("refuses a rebound host name (421) but lets localhost on any port through", async () => {
    const rebound = await proxy(
      new NextRequest("http://attacker.example/api/secrets", { headers: { host: "attacker.example" } }),
    );
    expect(rebound.status).toBe(421);
    expect(
      passed(await proxy(new NextRequest("http://localhost:4567/", { headers: { host: "localhost:4567" } }))),
    ).toBe(true);
  });

  it("reads APP_URL and ALLOWED_HOSTS from the environment", async () => {
    setEnv({ APP_URL: "https://braid.example.com/", ALLOWED_HOSTS: "lan-box" });
    const at = (host: string) => proxy(new NextRequest(`http://${host}/`, { headers: { host } }));
    expect(passed(await at("braid.example.com"))).toBe(true);
    expect(passed(await at("lan-box:3000"))).toBe(true);
    expect((await at("evil.example")).status).toBe(421);
  });

  it("still checks the session after the guard when APP_PASSWORD is set", async () => {
    setEnv({ APP_PASSWORD: "pw", APP_SECRET: "k" });
    const sameSite = new NextRequest("http://localhost:3000/api/workflows", {
      method: "POST",
      headers: { host: "localhost:3000", origin: "http://localhost:3000" },
    });
    expect((await proxy(sameSite)).status).toBe(401);
    expect((await proxy(attack())).status).toBe(403);
  });
});

describe("security headers", () => {
  it("refuse framing on every path with a CSP and X-Frame-Options", async () => {
    const rules = await nextConfig.headers?.();
    expect(rules).toEqual([{ source: "/:path*", headers: SECURITY_HEADERS }]);
    const csp = SECURITY_HEADERS.find((x) => x.key === "Content-Security-Policy")?.value ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(SECURITY_HEADERS).toContainEqual({ key: "X-Frame-Options", value: "DENY" });
  });
});

const postgresUp = await postgresAvailable();

for (const kind of ["pglite", "postgres"] as const) {
  describe(`the text/plain attack on the route itself, on ${kind}`, () => {
    const enabled = kind === "pglite" || postgresUp;
    let database: Database;
    beforeAll(async () => {
      if (!enabled) return;
      database = await createTestDatabase(kind);
      setDatabase(database);
    });
    afterAll(async () => {
      setDatabase(undefined);
      await database?.close();
    });

    it.skipIf(!enabled)("is 415 even past the proxy, and stores nothing", async () => {
      const res = await createWorkflowRoute(attack(), undefined);
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({
        error: { code: "unsupported_media_type", message: expect.stringContaining("text/plain") },
      });
      expect(await database.db.select().from(workflows)).toEqual([]);
    });
  });
}
