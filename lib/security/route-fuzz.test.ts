import { readdirSync } from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { proxy } from "@/proxy";
import { createSessionToken, SESSION_COOKIE } from "./auth";

/**
 * Every API route handler under app/api, every method it exports, with hostile path parameters and
 * bodies, sent the way the server would: through proxy.ts first (signed in), then to the handler
 * with Next's decoded params. No answer may be a 5xx and nothing may throw.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

const HOSTILE_PARAMS = [
  "\u0000",
  "a\u0000b",
  "x".repeat(10_000),
  "..",
  "' or 1=1 --",
  "😀",
  "undefined",
  "-1",
  " ",
  "__proto__",
  "constructor",
  "%",
  "a/b",
  "\u202e",
];
const HOSTILE_BODIES = [
  "",
  "{}",
  "null",
  "[]",
  "{",
  '{"inputs":{"a":1},"mode":"queued"}',
  '"x"',
  "1e999",
  '{"__proto__":{"x":1}}',
];

function routeFiles(): string[] {
  return (readdirSync(path.join(ROOT, "app/api"), { recursive: true }) as string[])
    .map((f) => `app/api/${f.split(path.sep).join("/")}`)
    .filter((f) => f.endsWith("/route.ts"))
    .sort();
}

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

describe("hostile parameters and bodies on every API route", () => {
  let database: Database;
  const env = { ...process.env };

  beforeAll(async () => {
    process.env.APP_PASSWORD = "route-fuzz";
    process.env.APP_SECRET = "route-fuzz-secret";
    process.env.CRON_SECRET = "route-fuzz-cron";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database.close();
    process.env = env;
    resetEnv();
  });

  it.each(routeFiles())(
    "%s",
    async (file) => {
      const mod = (await import(`@/${file}`)) as Partial<Record<(typeof METHODS)[number], Handler>>;
      const segments = file
        .replace(/^app\//, "")
        .replace(/\/route\.ts$/, "")
        .split("/");
      const paramNames = segments.filter((s) => s.startsWith("[")).map((s) => s.replace(/^\[|\]$/g, ""));
      const cookie = `${SESSION_COOKIE}=${createSessionToken()}`;
      let calls = 0;
      for (const method of METHODS) {
        const handler = mod[method];
        if (!handler) continue;
        for (const value of paramNames.length > 0 ? HOSTILE_PARAMS : ["-"]) {
          const params = Object.fromEntries(paramNames.map((n) => [n, value]));
          const urlPath = `/${segments.map((s) => (s.startsWith("[") ? encodeURIComponent(value) : s)).join("/")}`;
          const url = `http://127.0.0.1${urlPath}`;
          const bodies = method === "GET" ? [undefined] : HOSTILE_BODIES;
          for (const body of bodies) {
            const label = `${method} ${file} ${JSON.stringify(value.slice(0, 20))} body ${JSON.stringify(body)}`;
            const init = { method, headers: { cookie, "content-type": "application/json" }, body };
            const gate = await proxy(new NextRequest(url, init));
            if (gate.headers.get("x-middleware-next") !== "1") {
              expect(gate.status, label).toBeLessThan(500);
              continue;
            }
            let res: Response;
            try {
              res = await handler(new Request(url, init), { params: Promise.resolve(params) });
            } catch (err) {
              throw new Error(`${label} threw: ${String(err)}`);
            }
            calls++;
            expect(res.status, label).toBeLessThan(500);
            await res.body?.cancel();
          }
        }
      }
      expect(calls).toBeGreaterThan(0);
    },
    120_000,
  );
});
