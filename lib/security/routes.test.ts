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
 * Every page and route handler under app/, and whether an anonymous visitor reaches it when
 * APP_PASSWORD is set. A new route fails this test until it gets an entry here: decide on purpose.
 * `public-read` means GET/HEAD only (share links); writes to it need a session.
 */
const EXPECTED: Record<string, "session" | "public" | "public-read"> = {
  "app/page.tsx": "session",
  "app/login/page.tsx": "public-read",
  "app/workflows/[id]/page.tsx": "session",
  "app/workflows/[id]/executions/page.tsx": "session",
  "app/executions/[id]/page.tsx": "session",
  "app/share/[token]/page.tsx": "public-read",
  "app/api/auth/login/route.ts": "public",
  "app/api/auth/logout/route.ts": "public",
  "app/api/cron/drain/route.ts": "public",
  // It checks a session or `Bearer METRICS_TOKEN` itself: Prometheus sends no cookie.
  "app/api/metrics/route.ts": "public-read",
  "app/api/workflows/route.ts": "session",
  "app/api/workflows/[id]/route.ts": "session",
  "app/api/workflows/[id]/run/route.ts": "session",
  "app/api/workflows/[id]/executions/route.ts": "session",
  "app/api/workflows/[id]/nodes/[nodeId]/run/route.ts": "session",
  "app/api/executions/[id]/route.ts": "session",
  "app/api/executions/[id]/events/route.ts": "session",
  "app/api/executions/[id]/iterations/[path]/route.ts": "session",
  "app/api/executions/[id]/cancel/route.ts": "session",
  "app/api/executions/[id]/pause/route.ts": "session",
  "app/api/executions/[id]/resume/route.ts": "session",
  "app/api/executions/[id]/retry/route.ts": "session",
  "app/api/executions/[id]/share/route.ts": "session",
  "app/api/workflows/[id]/webhooks/route.ts": "session",
  "app/api/workflows/[id]/webhooks/[triggerId]/route.ts": "session",
  "app/api/webhooks/[token]/route.ts": "public",
  "app/api/resume/[token]/route.ts": "public",
  "app/api/workflows/[id]/resume/route.ts": "session",
  "app/api/secrets/route.ts": "session",
  "app/api/secrets/[name]/route.ts": "session",
  "app/secrets/page.tsx": "session",
  "app/settings/prices/page.tsx": "session",
  "app/api/share/[token]/route.ts": "public-read",
  "app/api/share/[token]/events/route.ts": "public-read",
  "app/api/share/[token]/children/[childId]/route.ts": "public-read",
  "app/share/[token]/children/[childId]/page.tsx": "public-read",
  "app/approve/[token]/page.tsx": "public-read",
  "app/api/share/[token]/iterations/[path]/route.ts": "public-read",
  "app/api/openapi.json/route.ts": "session",
  "app/api/workflows/[id]/versions/route.ts": "session",
  "app/api/workflows/[id]/versions/[v]/route.ts": "session",
  "app/api/workflows/[id]/versions/[v]/restore/route.ts": "session",
  "app/api/executions/[id]/rerun/route.ts": "session",
  "app/api/workflows/[id]/executions/retry/route.ts": "session",
  "app/workflows/[id]/versions/page.tsx": "session",
};

const ROOT = path.resolve(import.meta.dirname, "../..");

function routeFiles(): string[] {
  return (readdirSync(path.join(ROOT, "app"), { recursive: true }) as string[])
    .map((f) => `app/${f.split(path.sep).join("/")}`)
    .filter((f) => /(^|\/)(route\.ts|page\.tsx)$/.test(f))
    .sort();
}

/** `app/api/workflows/[id]/run/route.ts` → `/api/workflows/sample-id/run`. */
function urlPathOf(file: string): string {
  const segments = file
    .replace(/^app\//, "")
    .replace(/(^|\/)(route\.ts|page\.tsx)$/, "")
    .split("/")
    .filter((s) => s && !/^\(.*\)$/.test(s) && !s.startsWith("@"))
    .map((s) =>
      s.startsWith("[[...") || s.startsWith("[...") ? "a/b" : s.startsWith("[") ? "sample-id" : s,
    );
  return `/${segments.join("/")}`;
}

describe("route access table", () => {
  const saved = { ...process.env };
  // A session is checked against the revocations in the database.
  let database: Database;
  beforeAll(async () => {
    process.env.APP_PASSWORD = "route-table-password";
    process.env.APP_SECRET = "route-table-secret";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database?.close();
    process.env = saved;
    resetEnv();
  });

  const files = routeFiles();

  it("has an entry for every page and route handler under app/", () => {
    expect(files.length).toBeGreaterThan(0);
    const missing = files.filter((f) => !(f in EXPECTED));
    expect(missing, `add these to EXPECTED in ${path.relative(ROOT, import.meta.filename)}`).toEqual([]);
  });

  it.each(files)("%s is guarded as listed", async (file) => {
    const expected = EXPECTED[file];
    if (!expected) return; // reported by the test above
    const url = `http://braid.test${urlPathOf(file)}`;
    const isPage = file.endsWith("page.tsx");
    const anonymous = (method: string) => proxy(new NextRequest(url, { method }));
    const passes = (res: Response) => res.headers.get("x-middleware-next") === "1";
    const refused = (res: Response) => (isPage ? [307, 401].includes(res.status) : res.status === 401);

    if (expected === "public") {
      expect(passes(await anonymous("GET"))).toBe(true);
      expect(passes(await anonymous("POST"))).toBe(true);
    } else if (expected === "public-read") {
      expect(passes(await anonymous("GET"))).toBe(true);
      for (const method of ["POST", "PUT", "DELETE", "PATCH"])
        expect(refused(await anonymous(method)), method).toBe(true);
    } else {
      for (const method of ["GET", "POST", "PUT", "DELETE"])
        expect(refused(await anonymous(method)), method).toBe(true);
      const withSession = await proxy(
        new NextRequest(url, {
          method: "GET",
          headers: { cookie: `${SESSION_COOKIE}=${createSessionToken()}` },
        }),
      );
      expect(passes(withSession)).toBe(true);
    }
  });
});
