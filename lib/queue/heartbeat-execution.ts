import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { type Db, query } from "@/lib/db/client";
import { closeRunningStretch } from "./run-time";

/** A heartbeat's answer: the lease is lost (fence moved on), or it was extended with the pending control. */
export type HeartbeatResult = { held: false } | { held: true; control: "cancel" | "pause" | null };

/**
 * The one heartbeat statement: extends the lease of a running execution by `leaseMs`, only while
 * `fence` is still the current one, and returns the requested control (a row: held; none: lost).
 */
export function heartbeatStatement(options: { id: string; fence: number; leaseMs: number }): SQL {
  return sql`update executions set lease_expires_at = now() + ${options.leaseMs} * interval '1 millisecond',
        ${closeRunningStretch}
      where id = ${options.id} and fence = ${options.fence} and status = 'running'
      returning control`;
}

/**
 * `heartbeatStatement` as text and parameters, for the heartbeat thread (lib/runs/heartbeat.ts),
 * which runs the very same statement on its own connection.
 */
export function heartbeatQuery(options: { id: string; fence: number; leaseMs: number }): {
  text: string;
  params: unknown[];
} {
  const { sql: text, params } = new PgDialect().sqlToQuery(heartbeatStatement(options));
  return { text, params };
}

/**
 * Extends the lease of a running execution by `leaseMs`, only while `fence` is still the current
 * one. It also reads the requested control, so a cancel or pause reaches the runner on its next beat.
 */
export async function heartbeatExecution(
  db: Db,
  options: { id: string; fence: number; leaseMs: number },
): Promise<HeartbeatResult> {
  const [row] = await query<{ control: "cancel" | "pause" | null }>(db, heartbeatStatement(options));
  return row ? { held: true, control: row.control } : { held: false };
}
