import type { Clock } from "../ports";

/** A clock that only moves when told: deterministic timeouts, backoffs and deadlines in tests. */
export interface ManualClock extends Clock {
  /** Moves time forward, firing due sleepers in order (letting promise callbacks run between). */
  advance(ms: number): Promise<void>;
  /** Number of sleepers waiting. */
  readonly waiting: number;
}

interface Sleeper {
  due: number;
  resolve: () => void;
}

/** Creates a manual clock starting at `start` ms. */
export function createManualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  const sleepers = new Set<Sleeper>();
  const flush = async () => {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  };
  return {
    now: () => now,
    get waiting() {
      return sleepers.size;
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const sleeper: Sleeper = {
          due: now + ms,
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers.delete(sleeper);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        sleepers.add(sleeper);
      });
    },
    async advance(ms) {
      const target = now + ms;
      await flush();
      for (;;) {
        let next: Sleeper | undefined;
        for (const s of sleepers) if (s.due <= target && (!next || s.due < next.due)) next = s;
        if (!next) break;
        now = Math.max(now, next.due);
        sleepers.delete(next);
        next.resolve();
        await flush();
      }
      now = target;
      await flush();
    },
  };
}
