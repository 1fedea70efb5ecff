import { describe, expect, it } from "vitest";
import { createSingleFlight, type FlightContext } from "./single-flight";

function gate<T>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe("single-flight", () => {
  it("runs the work once for concurrent callers of a key, and again once it settled", async () => {
    const flights = createSingleFlight<number>();
    let runs = 0;
    const g = gate<number>();
    const work = () => {
      runs++;
      return g.promise;
    };
    const all = Promise.all([
      flights.run("k", {}, work),
      flights.run("k", {}, work),
      flights.run("other", {}, () => Promise.resolve(7)),
    ]);
    expect(flights.size).toBe(2);
    g.open(42);
    expect(await all).toEqual([42, 42, 7]);
    expect(runs).toBe(1);
    expect(flights.size).toBe(0);
    expect(await flights.run("k", {}, () => Promise.resolve(43))).toBe(43);
  });

  it("lets one caller abort without cancelling the work for the others", async () => {
    const flights = createSingleFlight<string>();
    const g = gate<string>();
    let workSignal: AbortSignal | undefined;
    const work = (ctx: FlightContext) => {
      workSignal = ctx.signal;
      return g.promise;
    };
    const leaving = new AbortController();
    const a = flights.run("k", { signal: leaving.signal }, work);
    const b = flights.run("k", {}, work);
    leaving.abort(new Error("left"));
    await expect(a).rejects.toThrow("left");
    expect(workSignal?.aborted).toBe(false);
    g.open("done");
    expect(await b).toBe("done");
  });

  it("aborts the work when every caller has aborted", async () => {
    const flights = createSingleFlight<string>();
    let workSignal: AbortSignal | undefined;
    const work = (ctx: FlightContext) => {
      workSignal = ctx.signal;
      return new Promise<string>((_, reject) =>
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
      );
    };
    const c1 = new AbortController();
    const c2 = new AbortController();
    const a = flights.run("k", { signal: c1.signal }, work);
    const b = flights.run("k", { signal: c2.signal }, work);
    await Promise.resolve();
    c1.abort(new Error("one"));
    expect(workSignal?.aborted).toBe(false);
    c2.abort(new Error("two"));
    await expect(a).rejects.toThrow("one");
    await expect(b).rejects.toThrow("two");
    expect(workSignal?.aborted).toBe(true);
    expect(flights.size).toBe(0);
  });

  it("fans partials and logs out to every caller, giving a late joiner the latest text", async () => {
    const flights = createSingleFlight<string>();
    const g = gate<string>();
    let ctxRef: FlightContext | undefined;
    const seenA: string[] = [];
    const seenB: string[] = [];
    const logs: string[] = [];
    const a = flights.run(
      "k",
      { onPartial: (t) => seenA.push(t), log: (_l, m) => logs.push(`a:${m}`) },
      (ctx) => {
        ctxRef = ctx;
        return g.promise;
      },
    );
    await Promise.resolve();
    await Promise.resolve();
    ctxRef?.partial("he");
    const b = flights.run(
      "k",
      { onPartial: (t) => seenB.push(t), log: (_l, m) => logs.push(`b:${m}`) },
      () => g.promise,
    );
    ctxRef?.partial("hello");
    ctxRef?.log("warn", "slow cache");
    g.open("hello");
    await Promise.all([a, b]);
    expect(seenA).toEqual(["he", "hello"]);
    expect(seenB).toEqual(["he", "hello"]);
    expect(logs).toEqual(["a:slow cache", "b:slow cache"]);
  });

  it("rejects at once for a caller whose signal is already aborted", async () => {
    const flights = createSingleFlight<string>();
    let runs = 0;
    const c = new AbortController();
    c.abort(new Error("already"));
    await expect(flights.run("k", { signal: c.signal }, async () => `${++runs}`)).rejects.toThrow("already");
    expect(runs).toBe(0);
  });
});
