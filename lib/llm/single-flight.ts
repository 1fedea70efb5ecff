type Level = "debug" | "info" | "warn" | "error";

/** What a flight's work sees: one signal for all callers, and fan-out to every caller's callbacks. */
export interface FlightContext {
  /** Aborts only when every caller waiting on the flight has aborted. */
  signal: AbortSignal;
  partial(text: string): void;
  log(level: Level, message: string): void;
}

export interface FlightCaller {
  signal?: AbortSignal;
  onPartial?: (text: string) => void;
  log?: (level: Level, message: string) => void;
}

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  callers: Set<FlightCaller>;
  lastPartial?: string;
}

/** Coalesces concurrent calls with the same key into one run of the work, within a process. */
export interface SingleFlight<T> {
  run(key: string, caller: FlightCaller, work: (ctx: FlightContext) => Promise<T>): Promise<T>;
  /** Flights under way (for tests). */
  readonly size: number;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/**
 * Creates a single-flight group. The first caller of a key starts the work; later callers join it,
 * get its result, and receive its partial text (starting with the latest) and log lines. A caller
 * that aborts leaves alone; the work itself is aborted once no caller is left.
 */
export function createSingleFlight<T>(): SingleFlight<T> {
  const flights = new Map<string, Flight<T>>();

  return {
    get size() {
      return flights.size;
    },
    run(key, caller, work) {
      if (caller.signal?.aborted) return Promise.reject(abortReason(caller.signal));
      let flight = flights.get(key);
      if (!flight) {
        const controller = new AbortController();
        const created: Flight<T> = {
          controller,
          callers: new Set(),
          promise: Promise.resolve() as Promise<T>,
        };
        const ctx: FlightContext = {
          signal: controller.signal,
          partial(text) {
            created.lastPartial = text;
            for (const c of created.callers) c.onPartial?.(text);
          },
          log(level, message) {
            for (const c of created.callers) c.log?.(level, message);
          },
        };
        created.promise = Promise.resolve()
          .then(() => work(ctx))
          .finally(() => {
            if (flights.get(key) === created) flights.delete(key);
          });
        flights.set(key, created);
        flight = created;
      } else if (flight.lastPartial !== undefined) {
        caller.onPartial?.(flight.lastPartial);
      }

      const joined = flight;
      joined.callers.add(caller);
      return new Promise<T>((resolve, reject) => {
        const leave = () => {
          joined.callers.delete(caller);
          caller.signal?.removeEventListener("abort", onAbort);
        };
        const onAbort = () => {
          leave();
          if (joined.callers.size === 0) {
            if (flights.get(key) === joined) flights.delete(key);
            joined.controller.abort(caller.signal ? abortReason(caller.signal) : undefined);
          }
          reject(caller.signal ? abortReason(caller.signal) : new Error("aborted"));
        };
        caller.signal?.addEventListener("abort", onAbort, { once: true });
        joined.promise.then(
          (value) => {
            leave();
            resolve(value);
          },
          (err: unknown) => {
            leave();
            reject(err);
          },
        );
      });
    },
  };
}
