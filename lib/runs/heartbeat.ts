import "server-only";
import type { Db } from "@/lib/db/client";
import { heartbeatExecution } from "@/lib/queue/heartbeat-execution";

export interface Heartbeat {
  /** Stops beating; resolves once a beat in flight has settled. */
  stop(): Promise<void>;
}

/**
 * Extends a held lease every `intervalMs` (default min(1000, leaseMs / 3)) and hands each beat's
 * answer over: `onLost` once the fence moved on, `onControl` with the pending cancel or pause.
 * One beat at a time; a failed beat (database unreachable) is logged and retried on the next tick.
 */
export function startHeartbeat(
  db: Db,
  options: {
    id: string;
    fence: number;
    leaseMs: number;
    intervalMs?: number;
    onLost: () => void;
    onControl?: (control: "cancel" | "pause" | null) => void;
  },
): Heartbeat {
  const intervalMs = options.intervalMs ?? Math.max(50, Math.min(1000, Math.floor(options.leaseMs / 3)));
  let beating: Promise<void> | undefined;
  let lost = false;
  const timer = setInterval(() => {
    if (beating || lost) return;
    beating = heartbeatExecution(db, { id: options.id, fence: options.fence, leaseMs: options.leaseMs })
      .then((beat) => {
        if (!beat.held) {
          lost = true;
          options.onLost();
        } else options.onControl?.(beat.control);
      })
      .catch((err) => console.error(`heartbeat of execution ${options.id} failed:`, err))
      .finally(() => {
        beating = undefined;
      });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await beating;
    },
  };
}
