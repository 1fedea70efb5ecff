import { createHash, timingSafeEqual } from "node:crypto";
import { AppError, withErrors } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { isAuthEnabled } from "@/lib/security/auth";
import { hasSession } from "@/lib/security/sessions";
import { bindMetricsDatabase, getMetrics } from "@/lib/telemetry/metrics";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Whether the request may read metrics: `Bearer METRICS_TOKEN`, else a session (or no auth at all). */
async function authorized(req: Request): Promise<boolean> {
  const token = getEnv().METRICS_TOKEN;
  const match = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "");
  if (token !== undefined && match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token))) {
    return true;
  }
  return isAuthEnabled() ? hasSession(req) : token === undefined;
}

/**
 * `GET /api/metrics`: this process's metrics in the Prometheus text format (queue gauges are read
 * from the database, so every process reports them alike). Needs a session or `Bearer METRICS_TOKEN`.
 */
export const GET = withErrors(async (req: Request) => {
  if (!(await authorized(req))) {
    throw new AppError(
      401,
      "unauthorized",
      "a session or `Authorization: Bearer <METRICS_TOKEN>` is required",
    );
  }
  bindMetricsDatabase(await getDb());
  const { registry } = getMetrics();
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
});
