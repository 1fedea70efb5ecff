import "server-only";
import { sql } from "drizzle-orm";

/**
 * SET items that close the current running stretch: its time since `segment_started_at` joins
 * `run_ms` and a new stretch starts now. Heartbeats use it (so a crash loses at most one beat of
 * running time) and so do releases to `queued` or `paused` (so waiting time is not counted).
 */
export const closeRunningStretch = sql`run_ms = run_ms + greatest(0, floor(extract(epoch from (now() - segment_started_at)) * 1000))::int,
  segment_started_at = now()`;
