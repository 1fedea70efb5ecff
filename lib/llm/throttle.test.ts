import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createThrottle } from "./throttle";

describe("createThrottle", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("delivers the first value at once and then only the newest, once per interval", () => {
    const seen: string[] = [];
    const t = createThrottle<string>((v) => seen.push(v), 100);
    t.push("a");
    t.push("ab");
    t.push("abc");
    expect(seen).toEqual(["a"]);
    vi.advanceTimersByTime(99);
    expect(seen).toEqual(["a"]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(["a", "abc"]);
    vi.advanceTimersByTime(500);
    expect(seen).toEqual(["a", "abc"]);
    t.push("abcd");
    expect(seen).toEqual(["a", "abc", "abcd"]);
  });

  it("flushes what is pending and sends nothing after cancel", () => {
    const seen: number[] = [];
    const t = createThrottle<number>((v) => seen.push(v), 100);
    t.push(1);
    t.push(2);
    t.flush();
    expect(seen).toEqual([1, 2]);
    t.flush();
    expect(seen).toEqual([1, 2]);
    t.push(3);
    t.cancel();
    vi.advanceTimersByTime(1_000);
    expect(seen).toEqual([1, 2]);
  });
});
