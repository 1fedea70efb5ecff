import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodeError, type CodeErrorKind } from "./code-error";
import { SandboxPool } from "./pool";
import { type RunCodeOptions, runCode } from "./run-code";

const CANARY = "host-canary-7f3a9c";
const host = globalThis as unknown as Record<string, unknown>;
let pool: SandboxPool;

beforeAll(() => {
  pool = new SandboxPool({ size: 2 });
  host.__braidHostCanary = CANARY;
  process.env.BRAID_SANDBOX_CANARY = CANARY;
});
afterAll(async () => {
  delete host.__braidHostCanary;
  delete process.env.BRAID_SANDBOX_CANARY;
  await pool.close();
});

const base = {
  input: { id: 7, name: "Ada" },
  inputs: { n: 3, csv: "a,b" },
  nodes: { fetch: { status: 200, body: { items: [1, 2, 3] } } },
};

function run(source: string, extra: Partial<RunCodeOptions> = {}) {
  return runCode({ ...base, source, pool, ...extra });
}

/** Resolves to the value, or to `{ error: kind, message }` for a CodeError; anything else fails. */
async function outcome(source: string, extra: Partial<RunCodeOptions> = {}) {
  try {
    return { value: (await run(source, extra)).value };
  } catch (err) {
    if (!(err instanceof CodeError)) throw err;
    return { error: err.kind, message: err.message };
  }
}

type Expect = { value: unknown } | { error: CodeErrorKind; message?: RegExp } | "either";

describe("runCode: escape corpus", () => {
  const corpus: Array<[string, string, Expect, Partial<RunCodeOptions>?]> = [
    [
      "Function constructor to process",
      'return this.constructor.constructor("return process")()',
      { error: "runtime", message: /ReferenceError: '?process'? is not defined/ },
    ],
    [
      "Function returning the global's process",
      'return typeof Function("return this")().process',
      { value: "undefined" },
    ],
    [
      "new Function to globalThis",
      'return typeof new Function("return globalThis")().process',
      { value: "undefined" },
    ],
    ["require", "return typeof require", { value: "undefined" }],
    ["process", "return typeof process", { value: "undefined" }],
    ["dynamic import", 'const fs = await import("fs"); return typeof fs', { error: "runtime" }],
    ["static import", 'import fs from "fs";\nreturn 1', { error: "syntax" }],
    [
      "fetch and XMLHttpRequest",
      "return [typeof fetch, typeof XMLHttpRequest, typeof WebSocket]",
      { value: ["undefined", "undefined", "undefined"] },
    ],
    [
      "timers",
      "return [typeof setTimeout, typeof setInterval, typeof setImmediate]",
      { value: ["undefined", "undefined", "undefined"] },
    ],
    [
      "host globals",
      "return [typeof __braidHostCanary, typeof Buffer, typeof global, typeof module, typeof exports]",
      { value: ["undefined", "undefined", "undefined", "undefined", "undefined"] },
    ],
    [
      "sandbox internals are gone",
      "return Reflect.ownKeys(globalThis).filter(k => typeof k === 'string' && /braid/i.test(k))",
      { value: [] },
    ],
    [
      "QuickJS std/os modules",
      "return [typeof std, typeof os, typeof scriptArgs, typeof print]",
      { value: ["undefined", "undefined", "undefined", "undefined"] },
    ],
    ["caller chain", "function f() { return f.caller } return typeof f()", "either"],
    [
      "Error.prepareStackTrace",
      "Error.prepareStackTrace = (e, s) => s.map(c => c.getThis()); return typeof new Error('x').stack",
      { value: "string" },
    ],
    [
      "SharedArrayBuffer",
      "return typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(16).byteLength : 'absent'",
      "either",
    ],
    [
      "Atomics.wait",
      "return Atomics.wait(new Int32Array(new SharedArrayBuffer(16)), 0, 0, 100000)",
      "either",
      { timeoutMs: 300 },
    ],
    ["huge string by doubling", 'let s = "x"; for (;;) s += s;', { error: "memory" }, { memoryMb: 16 }],
    ["huge string by repeat", 'return "x".repeat(2 ** 29).length', "either", { memoryMb: 16 }],
    [
      "huge array",
      "const a = []; for (;;) a.push({ n: a.length });",
      { error: "memory" },
      { memoryMb: 16, timeoutMs: 10_000 },
    ],
    [
      "native fill near the memory limit",
      "const a = []; for (;;) a.push(new Array(10000).fill(a.length));",
      "either",
      { memoryMb: 16, timeoutMs: 300 },
    ],
    ["while(1)", "while (1) {}", { error: "timeout" }, { timeoutMs: 200 }],
    ["recursion", "function f(n) { return f(n + 1) + 1 }\nreturn f(0)", { error: "stack" }],
    [
      "microtask flood",
      "const loop = () => Promise.resolve().then(loop); loop(); await new Promise(() => {})",
      { error: "timeout" },
      { timeoutMs: 200 },
    ],
    ["promise flood", "for (;;) Promise.resolve(1).then(() => 0)", { error: "timeout" }, { timeoutMs: 200 }],
    ["never-settling promise", "await new Promise(() => {})", { error: "runtime", message: /never settles/ }],
    [
      "Proxy result with a throwing trap",
      'return new Proxy({}, { ownKeys() { throw new Error("trap") } })',
      { error: "result", message: /not JSON: trap/ },
    ],
    [
      "Proxy result with a looping trap",
      "return new Proxy({ a: 1 }, { get() { for (;;) {} } })",
      { error: "timeout" },
      { timeoutMs: 200 },
    ],
    ["getter on the result", "return { get x() { return 42 } }", { value: { x: 42 } }],
    [
      "toJSON on Object.prototype loops",
      "Object.prototype.toJSON = function () { for (;;) {} }; return {}",
      { error: "timeout" },
      { timeoutMs: 200 },
    ],
    ["returning a function", "return () => 1", { error: "result", message: /function/ }],
    [
      "returning a nested function",
      "return { a: { b: function () {} } }",
      { error: "result", message: /function at key "b"/ },
    ],
    ["returning a symbol", "return Symbol('s')", { error: "result", message: /symbol/ }],
    ["returning a BigInt", "return { n: 10n }", { error: "result", message: /bigint/ }],
    ["returning a cycle", "const a = {}; a.self = a; return a", { error: "result", message: /not JSON/ }],
    [
      "hijacked Promise.prototype.then",
      'Promise.prototype.then = function () { return "R{\\"hacked\\":1}" }; return 1',
      { value: 1 },
    ],
    [
      "hijacked Function.prototype.call/apply",
      "Function.prototype.call = Function.prototype.apply = () => 'R9'; return 2",
      { value: 2 },
    ],
    [
      "hijacked JSON",
      "JSON.stringify = () => '\"x\"'; JSON.parse = () => ({}); return { a: 1 }",
      { value: { a: 1 } },
    ],
    ["throwing a non-Error", 'throw { toString() { return "odd" } }', { error: "runtime" }],
    ["eval stays inside", 'return eval("typeof process")', { value: "undefined" }],
    ["WebAssembly", "return typeof WebAssembly", { value: "undefined" }],
  ];

  it.each(corpus)("%s", async (_name, source, expected, extra) => {
    const got = await outcome(source, extra);
    if (expected !== "either") {
      if ("value" in expected) expect(got).toEqual({ value: expected.value });
      else {
        expect(got.error).toBe(expected.error);
        if (expected.message) expect(got.message).toMatch(expected.message);
      }
    }
    expect(JSON.stringify(got)).not.toContain(CANARY);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(host.__braidHostCanary).toBe(CANARY);
  });

  it("has at least 25 tricks", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
  });

  it.each([
    ['return JSON.parse(\'{"__proto__": {"polluted": true}}\')'],
    ["return { constructor: { prototype: { polluted: true } } }"],
    ["const o = {}; o.__proto__.polluted = true; return o"],
  ])("a returned object cannot pollute the host: %s", async (source) => {
    const { value } = await run(source);
    const copy = structuredClone(value);
    Object.assign({}, copy);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it("the pool still answers after every trick", async () => {
    expect((await run("return inputs.n * 2")).value).toBe(6);
  });
});

describe("runCode: data and results", () => {
  it("sees input, inputs, nodes, item and index", async () => {
    const { value } = await run(
      "return { id: input.id, n: inputs.n, items: nodes.fetch.body.items, item, index }",
      {
        item: { sku: "a" },
        index: 2,
      },
    );
    expect(value).toEqual({ id: 7, n: 3, items: [1, 2, 3], item: { sku: "a" }, index: 2 });
  });

  it("runs inside a loop, using item and index", async () => {
    const items = [{ price: 2 }, { price: 5 }, { price: 7 }];
    const out = [];
    for (const [index, item] of items.entries()) {
      out.push((await run("return item.price * 10 + index", { item, index })).value);
    }
    expect(out).toEqual([20, 51, 72]);
  });

  it.each([
    ["return undefined", null],
    ["", null],
    ["return await Promise.resolve(41) + 1", 42],
    ["return [1, 'a', true, null, { b: [2] }]", [1, "a", true, null, { b: [2] }]],
    ["return inputs.csv.split(',').map(s => s.toUpperCase())", ["A", "B"]],
    ["const d = new Date(0); return d.toISOString()", "1970-01-01T00:00:00.000Z"],
  ])("%j returns %j", async (source, expected) => {
    expect((await run(source)).value).toEqual(expected);
  });

  it("gives each call a fresh context", async () => {
    await run(
      "globalThis.leak = 'first'; Object.prototype.polluted = 1; Array.prototype.push = null; return 1",
    );
    const { value } = await run(
      "return [typeof globalThis.leak, typeof ({}).polluted, typeof [].push, typeof Symbol.for('x')]",
    );
    expect(value).toEqual(["undefined", "undefined", "function", "symbol"]);
  });

  it("passes data as JSON only", async () => {
    const { value } = await run(
      "return [typeof input.when, input.when, Object.getPrototypeOf(input) === Object.prototype]",
      {
        input: { when: new Date(0) },
      },
    );
    expect(value).toEqual(["string", "1970-01-01T00:00:00.000Z", true]);
  });
});

describe("runCode: logs", () => {
  it("records console lines with their levels", async () => {
    const { logs, logsTruncated } = await run(
      "console.log('a', 1, { b: [2] }); console.info('i'); console.warn('w'); console.error('e'); console.debug('d'); return null",
    );
    expect(logs).toEqual([
      { level: "info", message: 'a 1 {"b":[2]}' },
      { level: "info", message: "i" },
      { level: "warn", message: "w" },
      { level: "error", message: "e" },
      { level: "debug", message: "d" },
    ]);
    expect(logsTruncated).toBe(false);
  });

  it("keeps at most 100 lines, with a note", async () => {
    const { logs, logsTruncated } = await run(
      "for (let i = 0; i < 150; i++) console.log('line ' + i); return 1",
    );
    expect(logsTruncated).toBe(true);
    expect(logs).toHaveLength(101);
    expect(logs[99]).toEqual({ level: "info", message: "line 99" });
    expect(logs[100]?.message).toMatch(/log output cut at 100 lines or 10 KB/);
  });

  it("keeps at most 10 KB, with a note", async () => {
    const { logs, logsTruncated } = await run(
      "console.log('x'.repeat(6000)); console.log('y'.repeat(6000)); console.log('z'); return 1",
    );
    expect(logsTruncated).toBe(true);
    const bytes = logs.slice(0, -1).reduce((n, l) => n + Buffer.byteLength(l.message), 0);
    expect(bytes).toBe(10 * 1024);
    expect(logs.map((l) => l.message[0])).toEqual(["x", "y", "l"]);
  });

  it("prints every kind of value, with the context's own JSON and String even after code replaced them", async () => {
    const { logs } = await run(
      [
        "console.log(null, undefined, 1.5, true, 10n, Symbol('s'), [1, 'a'], { a: 1 });",
        "const cyclic = {}; cyclic.self = cyclic; console.log(cyclic);",
        "JSON.stringify = () => 'hijacked'; String = () => 'hijacked'; console.log({ b: 2 }, 7);",
        "return 1",
      ].join("\n"),
    );
    expect(logs.map((l) => l.message)).toEqual([
      'null undefined 1.5 true 10 Symbol(s) [1,"a"] {"a":1}',
      "[object Object]",
      '{"b":2} 7',
    ]);
  });

  it("throws into the code what printing a value throws", async () => {
    const { value } = await run(
      [
        "const bad = { toJSON() { throw new Error('no json') }, toString() { throw new Error('no string') } };",
        "try { console.log(bad); return 'printed'; } catch (e) { return e.message; }",
      ].join("\n"),
    );
    expect(value).toBe("no string");
  });

  it("keeps the lines written before a failure", async () => {
    const err = await run("console.log('before'); throw new Error('boom')").catch((e) => e);
    expect(err).toBeInstanceOf(CodeError);
    expect(err.logs).toEqual([{ level: "info", message: "before" }]);
  });
});

describe("runCode: errors and limits", () => {
  it("reports a thrown error with its line in the user's source", async () => {
    const err = await run("const a = 1;\nconst b = 2;\nthrow new Error('boom ' + (a + b));").catch((e) => e);
    expect(err).toBeInstanceOf(CodeError);
    expect(err).toMatchObject({ kind: "runtime", line: 3 });
    expect(err.message).toMatch(/boom 3/);
    expect(err.message).toMatch(/line 3/);
  });

  it("reads a thrown error with the context's own String, even after code replaced it", async () => {
    const err = await run("String = () => 'hijacked';\nthrow new TypeError('typed');").catch((e) => e);
    expect(err).toMatchObject({ kind: "runtime", line: 2 });
    expect(err.message).toMatch(/^TypeError: typed/);
  });

  it("reports the line of an error thrown by a callee", async () => {
    const err = await run(
      "function check(x) {\n  if (!x) throw new TypeError('no x');\n}\ncheck(input.missing);\nreturn 1",
    ).catch((e) => e);
    expect(err).toMatchObject({ kind: "runtime", line: 2 });
    expect(err.message).toMatch(/TypeError: no x|no x/);
  });

  it("reports a syntax error with line and column before running", async () => {
    const err = await run("const a = 1;\nreturn a +* 2").catch((e) => e);
    expect(err).toBeInstanceOf(CodeError);
    expect(err).toMatchObject({ kind: "syntax", line: 2, column: 11 });
  });

  it("stops an infinite loop at timeoutMs and stays healthy", async () => {
    const before = pool.started;
    const err = await run("let i = 0; while (true) i++;", { timeoutMs: 150 }).catch((e) => e);
    expect(err).toMatchObject({ kind: "timeout" });
    expect(err.message).toMatch(/150 ms timeout/);
    expect((await run("return 'alive'")).value).toBe("alive");
    expect(pool.started).toBe(before);
  });

  it("stops a memory bomb at memoryMb, then runs the next call with its own limit", async () => {
    const bomb = "const a = []; for (;;) a.push({ n: a.length, s: 'item ' + a.length });";
    const err = await run(bomb, { memoryMb: 8, timeoutMs: 10_000 }).catch((e) => e);
    expect(err).toMatchObject({ kind: "memory" });
    expect(err.message).toMatch(/8 MB/);
    const { value } = await run("return new Array(2_000_000).fill(1).length", { memoryMb: 128 });
    expect(value).toBe(2_000_000);
  });

  it("turns deep recursion into a stack-overflow error", async () => {
    const err = await run("const f = (n) => n === 0 ? 0 : 1 + f(n - 1);\nreturn f(1e7)").catch((e) => e);
    expect(err).toMatchObject({ kind: "stack" });
    expect((await run("const f = (n) => n === 0 ? 0 : 1 + f(n - 1);\nreturn f(500)")).value).toBe(500);
  });

  it.each([
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ memoryMb: -1 }, /memoryMb/],
    [{ timeoutMs: Number.NaN }, /timeoutMs/],
  ])("refuses bad limits %j", async (limits, pattern) => {
    await expect(run("return 1", limits)).rejects.toThrow(pattern);
  });

  it("terminates and replaces a worker that stops answering", async () => {
    const small = new SandboxPool({ size: 1, warmCode: false });
    try {
      // A native regex match cannot be interrupted: only terminating the thread stops it.
      const stuck = small.run({
        task: {
          kind: "jsonata",
          source: "$match($s, /(x+x+)+y/)",
          scope: {},
          bindings: { s: "x".repeat(40) },
          limits: {},
        },
        hardTimeoutMs: 300,
        onHardTimeout: { kind: "timeout", message: "stuck worker terminated" },
      });
      await expect(stuck).rejects.toThrow("stuck worker terminated");
      expect(small.started).toBe(2);
      await expect(
        small.run({
          task: { kind: "jsonata", source: "a + 1", scope: { a: 1 }, limits: {} },
          hardTimeoutMs: 5_000,
          onHardTimeout: { kind: "timeout", message: "x" },
        }),
      ).resolves.toEqual({ json: "2" });
    } finally {
      await small.close();
    }
  });

  it("stops a call whose signal aborts", async () => {
    const controller = new AbortController();
    const running = run("while (true) {}", { timeoutMs: 20_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("cancelled by the run")), 50);
    await expect(running).rejects.toThrow(/cancelled by the run/);
    expect((await run("return 3")).value).toBe(3);
  });
});
