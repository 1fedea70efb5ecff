/**
 * A counting semaphore with a FIFO queue: the engine's concurrency cap. Waiters that may be
 * turned away (first attempts) are resolved `false` by `closeNew()`; retries keep waiting.
 */
export interface Slots {
  /** `true` at once when a slot is free and nobody waits; else a promise of the slot (or `false`). */
  acquire(closable: boolean): true | Promise<boolean>;
  release(): void;
  /** Refuses every waiting and future closable acquire. */
  closeNew(): void;
  readonly inUse: number;
}

interface Waiter {
  resolve: (ok: boolean) => void;
  closable: boolean;
}

/** Creates a semaphore of `size` slots. */
export function createSlots(size: number): Slots {
  let inUse = 0;
  let closed = false;
  let waiters: Waiter[] = [];
  let head = 0;
  return {
    get inUse() {
      return inUse;
    },
    acquire(closable) {
      if (closable && closed) return Promise.resolve(false);
      if (inUse < size && head === waiters.length) {
        inUse++;
        return true;
      }
      return new Promise<boolean>((resolve) => waiters.push({ resolve, closable }));
    },
    release() {
      const next = waiters[head];
      if (next) {
        waiters[head++] = undefined as unknown as Waiter;
        if (head > 1024 && head * 2 > waiters.length) {
          waiters = waiters.slice(head);
          head = 0;
        }
        next.resolve(true);
        return;
      }
      inUse--;
    },
    closeNew() {
      closed = true;
      const kept: Waiter[] = [];
      for (let i = head; i < waiters.length; i++) {
        const w = waiters[i]!;
        if (w.closable) w.resolve(false);
        else kept.push(w);
      }
      waiters = kept;
      head = 0;
    },
  };
}
