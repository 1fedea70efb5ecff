import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import { toJsonParam } from "@/lib/db/json-param";
import { appendEventsStatement } from "@/lib/events/store";
import { capRunOutputs } from "@/lib/security/limits";
import { closeRunningStretch } from "./run-time";

/**
 * Ends a runner's hold on an execution and stores its last events, in one statement (one commit):
 * a terminal status (`succeeded`, `failed`, `cancelled`: outputs, error, finished_at), or a release
 * (`queued`, `paused`: checkpoints kept); and `events` (items encoded with `encodeEvent`) appended with the next
 * seq numbers. Status and events land together, so a client that reads an event sees the status
 * it reports. The new last seq is announced (NOTIFY on the events channel) by the same statement,
 * so subscribers hear of it at commit without another round trip. A no-op unless `fence` is
 * current and the execution running. Outputs are stored capped (`capRunOutputs`), like node outputs. Returns the execution's new `event_seq`, or undefined when
 * fenced out.
 */
export async function settleExecution(
  db: Db,
  options: {
    id: string;
    fence: number;
    to: "succeeded" | "failed" | "cancelled" | "queued" | "paused";
    outputs?: unknown;
    error?: { message: string; code?: string; nodeId?: string } | null;
    handedOff?: boolean;
    events: string[];
  },
): Promise<number | undefined> {
  const changes =
    options.to === "queued" || options.to === "paused"
      ? sql`handed_off = handed_off or ${options.handedOff ?? false},
          control = ${options.to === "paused" ? null : sql`control`}, run_after = now(), ${closeRunningStretch}`
      : sql`outputs = ${options.outputs === undefined ? null : toJsonParam(capRunOutputs(options.outputs))}::jsonb,
          error = ${options.error ? toJsonParam(options.error) : null}::jsonb, finished_at = now(), control = null`;
  const rows = await query<{ last: number }>(
    db,
    appendEventsStatement({
      executionId: options.id,
      events: options.events,
      set: sql`status = ${options.to}, ${changes}, lease_owner = null, lease_expires_at = null, updated_at = now()`,
      where: sql`fence = ${options.fence} and status = 'running'`,
      notify: true,
    }),
  );
  const [row] = rows;
  return row ? Number(row.last) : undefined;
}
