import "server-only";
import type { Database } from "@/lib/db/client";
import { type DrainOptions, drainQueue } from "./drain";
import { wakeDrainers } from "./wake";

/**
 * Makes this process start on queued work now, without waiting for the cron: an active drain in
 * the process is woken, else a new one starts. Fire-and-forget: errors are logged, never thrown.
 */
export function kickDrain(database: Database, options: DrainOptions = {}): void {
  if (wakeDrainers() > 0) return;
  void drainQueue(database, options).catch((err) => console.error("in-process drain failed:", err));
}
