import { withErrors } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { assertCronAuthorized } from "@/lib/runs/cron-auth";
import { drainOnce } from "@/lib/runs/drain-loop";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
/** Seconds; DRAIN_BUDGET_MS must stay below it. */
export const maxDuration = 60;

async function drain(req: Request): Promise<Response> {
  assertCronAuthorized(req, getEnv().CRON_SECRET);
  return Response.json(await drainOnce(await getDatabase()));
}

/**
 * Starts due schedule slots, then runs queued work within DRAIN_BUDGET_MS → `{ claimed, finished,
 * requeued }` (Vercel cron uses GET, every minute: the schedules' resolution there).
 */
export const GET = withErrors(drain);
export const POST = withErrors(drain);
