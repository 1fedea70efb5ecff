import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { closeRunningStretch } from "./run-time";

/** A heartbeat's answer: the lease is lost (fence moved on), or it was extended with the pending control. */
export type HeartbeatResult = { held: false } | { held: true; control: "cancel" | "pause" | null };

/**
 * Extends the lease of a running execution by `leaseMs`, only while `fence` is still the current
 * one. It also reads the requested control, so a cancel or pause reaches the runner on its next beat.
 */
export async function heartbeatExecution(
  db: Db,
  options: { id: string; fence: number; leaseMs: number },
): Promise<HeartbeatResult> {
  const [row] = await query<{ control: "cancel" | "pause" | null }>(
    db,
    sql`update executions set lease_expires_at = now() + ${options.leaseMs} * interval '1 millisecond',
        ${closeRunningStretch}
      where id = ${options.id} and fence = ${options.fence} and status = 'running'
      returning control`,
  );
  return row ? { held: true, control: row.control } : { held: false };
}
