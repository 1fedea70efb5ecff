import { afterEach, describe, expect, it } from "vitest";
import { SandboxPool } from "./pool";
import { runCode } from "./run-code";

let pool: SandboxPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

/** Code that keeps its worker busy for `ms` (CPU, not a timer: the sandbox has none). */
const busy = (ms: number, value: string) =>
  `const end = Date.now() + ${ms}; while (Date.now() < end) {} return ${JSON.stringify(value)}`;

function run(p: SandboxPool, source: string, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) {
  return runCode({ source, input: null, inputs: {}, nodes: {}, pool: p, timeoutMs: 5_000, ...extra });
}

describe("SandboxPool: a task waiting in a worker", () => {
  it("runs tasks handed to one worker in order, each in a fresh context", async () => {
    pool = new SandboxPool({ size: 1 });
    const p = pool;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        run(p, `const seen = typeof globalThis.mark; globalThis.mark = ${i}; return [${i}, seen]`),
      ),
    );
    expect(results.map((r) => r.value)).toEqual(Array.from({ length: 6 }, (_, i) => [i, "undefined"]));
    expect(p.started).toBe(1);
  });

  it("moves to a worker that fell idle instead of waiting behind a long task", async () => {
    pool = new SandboxPool({ size: 2 });
    const p = pool;
    const order: string[] = [];
    const note = (r: { value: unknown }) => {
      order.push(String(r.value));
    };
    // A takes worker 1, B worker 2, C waits behind A in worker 1 until B is done.
    const a = run(p, busy(600, "A")).then(note);
    const b = run(p, "return 'B'").then(note);
    const c = run(p, "return 'C'").then(note);
    await Promise.all([a, b, c]);
    expect(order.indexOf("C")).toBeLessThan(order.indexOf("A"));
    expect(p.started).toBe(2);
  });

  it("is withdrawn when its caller aborts, without stopping the worker", async () => {
    pool = new SandboxPool({ size: 1 });
    const p = pool;
    const controller = new AbortController();
    const a = run(p, busy(300, "A"));
    const b = run(p, "return 'B'", { signal: controller.signal });
    controller.abort(new Error("cancelled by the run"));
    await expect(b).rejects.toThrow(/cancelled by the run/);
    expect((await a).value).toBe("A");
    expect((await run(p, "return 'after'")).value).toBe("after");
    expect(p.started).toBe(1);
  });

  it("runs on the replacement when the worker ahead of it is terminated", async () => {
    pool = new SandboxPool({ size: 1 });
    const p = pool;
    await run(p, "return 'warm'");
    const controller = new AbortController();
    const a = run(p, "while (true) {}", { timeoutMs: 20_000, signal: controller.signal });
    const b = run(p, "return 'B'");
    // Long enough for the warm worker to have started A, so only terminating it stops A.
    setTimeout(() => controller.abort(new Error("stop A")), 300);
    await expect(a).rejects.toThrow(/stop A/);
    expect((await b).value).toBe("B");
    expect(p.started).toBe(2);
  });
});
