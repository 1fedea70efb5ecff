/** Latest-value throttle: `push` delivers at most once per `intervalMs`; `flush` sends what is pending. */
export interface Throttle<T> {
  push(value: T): void;
  flush(): void;
  cancel(): void;
}

/** Creates a throttle that calls `deliver` with the newest value, at most once per `intervalMs`. */
export function createThrottle<T>(deliver: (value: T) => void, intervalMs: number): Throttle<T> {
  let last = Number.NEGATIVE_INFINITY;
  let pending: { value: T } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const send = () => {
    timer = undefined;
    if (!pending) return;
    const { value } = pending;
    pending = undefined;
    last = Date.now();
    deliver(value);
  };

  return {
    push(value) {
      pending = { value };
      if (timer) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) send();
      else timer = setTimeout(send, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      send();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}
