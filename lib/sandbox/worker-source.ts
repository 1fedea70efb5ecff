/**
 * The program each sandbox worker runs, as CommonJS text for `new Worker(source, { eval: true })`.
 * It is text, not a file, so that Next.js server bundles, tsx and Vitest all start it the same way
 * with no bundler support for worker entry points; its packages (QuickJS, JSONata) are loaded from
 * the project's node_modules (`workerData.base`), listed in `serverExternalPackages`.
 *
 * Tasks, one at a time per worker:
 * - `code`: a fresh QuickJS runtime and context per task, with a memory limit, a stack limit and an
 *   interrupt handler at the deadline. The only host function is a log sink taking two strings;
 *   data enters as one JSON string and leaves as one JSON string.
 * - `jsonata`: an expression evaluated with JSONata's own guardrails; the pool kills the worker
 *   (and its V8 heap, bounded by `resourceLimits`) if it runs past them.
 */
export const WORKER_SOURCE = String.raw`
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { createRequire } = require("node:module");
const load = createRequire(workerData.base);

let quickjs;
function getQuickJS() {
  if (!quickjs) {
    const core = load("quickjs-emscripten-core");
    const variant = load("@jitl/quickjs-wasmfile-release-sync");
    quickjs = core.newQuickJSWASMModuleFromVariant(variant.default || variant);
  }
  return quickjs;
}

let jsonata;
const compiled = new Map();
function compileJsonata(source, limits) {
  let expr = compiled.get(source);
  if (expr) return expr;
  if (!jsonata) jsonata = load("jsonata");
  expr = jsonata(source, limits);
  expr.assign("eval", function () {
    throw { message: "$eval is not available" };
  });
  if (compiled.size > 1000) compiled.clear();
  compiled.set(source, expr);
  return expr;
}

const PRELUDE = [
  "(function () {",
  "  const log = globalThis.__braidLog;",
  "  delete globalThis.__braidLog;",
  "  const stringify = JSON.stringify, parse = JSON.parse, then = Promise.prototype.then, apply = Reflect.apply;",
  "  const StringFn = String, ErrorCtor = Error, isArray = Array.isArray;",
  "  function show(v) {",
  "    if (typeof v === 'string') return v;",
  "    if (v !== null && typeof v === 'object') { try { return stringify(v); } catch (e) { return StringFn(v); } }",
  "    return StringFn(v);",
  "  }",
  "  function write(level) {",
  "    return function () {",
  "      let line = '';",
  "      for (let i = 0; i < arguments.length; i++) line += (i ? ' ' : '') + show(arguments[i]);",
  "      log(level, line);",
  "    };",
  "  }",
  "  globalThis.console = { log: write('info'), info: write('info'), warn: write('warn'), error: write('error'), debug: write('debug') };",
  "  function check(key, value) {",
  "    const t = typeof value;",
  "    if (t === 'function' || t === 'symbol' || t === 'bigint') {",
  "      const e = new ErrorCtor('the result contains a ' + t + (key === '' ? '' : ' at key \"' + key + '\"') + '; return JSON data only');",
  "      e.name = 'BraidResultError';",
  "      throw e;",
  "    }",
  "    return value;",
  "  }",
  "  function ok(value) {",
  "    try {",
  "      const text = stringify(value === undefined ? null : value, check);",
  "      return 'R' + (text === undefined ? 'null' : text);",
  "    } catch (e) {",
  "      if (e && e.name === 'BraidResultError') return fail(e);",
  "      const r = new ErrorCtor('the result is not JSON: ' + (e && e.message));",
  "      r.name = 'BraidResultError';",
  "      return fail(r);",
  "    }",
  "  }",
  "  function fail(e) {",
  "    let name = 'Error', message, stack = '';",
  "    if (e !== null && (typeof e === 'object' || typeof e === 'function')) {",
  "      name = StringFn(e.name);",
  "      message = StringFn(e.message);",
  "      stack = typeof e.stack === 'string' ? e.stack : '';",
  "    } else message = 'uncaught ' + show(e);",
  "    return 'E' + stringify({ name: name, message: message, stack: stack });",
  "  }",
  "  return function (fn, json) {",
  "    const d = parse(json);",
  "    let p;",
  "    try { p = fn(d.input, d.inputs, d.nodes, d.item, d.index); } catch (e) { return fail(e); }",
  "    return apply(then, p, [ok, fail]);",
  "  };",
  "})();",
].join("\n");

function classify(name, message) {
  if (/interrupted/.test(message)) return "timeout";
  if (/out of memory|string too long|invalid (string|array) length/i.test(message)) return "memory";
  if (/stack overflow|call stack size/i.test(message)) return "stack";
  if (name === "SyntaxError") return "syntax";
  if (name === "BraidResultError") return "result";
  return "runtime";
}

function position(stack, offset) {
  const m = /code\.js:(\d+)(?::(\d+))?/.exec(stack || "");
  if (!m) return {};
  const line = Number(m[1]) - offset;
  if (line < 1) return {};
  return m[2] ? { line: line, column: Number(m[2]) } : { line: line };
}

function sandboxError(vm, handle, offset) {
  let info;
  try {
    info = vm.dump(handle);
  } catch (e) {
    info = { name: "InternalError", message: "out of memory" };
  }
  if (info === null || typeof info !== "object") info = { name: "Error", message: String(info) };
  const name = String(info.name || "Error");
  const message = String(info.message || "");
  return described(name, message, info.stack, offset);
}

function described(name, message, stack, offset) {
  const kind = classify(name, message);
  const text = kind === "runtime" && name !== "Error" && name !== "undefined" ? name + ": " + message : message;
  return Object.assign({ message: text, kind: kind, name: name }, position(stack, offset));
}

class TaskError {
  constructor(error) {
    this.error = error;
  }
}

// One QuickJS runtime is reused across tasks (each task still gets a fresh context); it is
// replaced after a failure that may leave it in a bad state, when a task leaves jobs pending (so
// no job of one task ever runs in the next), and every REUSE_MAX tasks.
const REUSE_MAX = 1000;
let sharedRuntime = null;
let runtimeUses = 0;

async function runCode(task) {
  const QuickJS = await getQuickJS();
  if (!sharedRuntime || runtimeUses >= REUSE_MAX) {
    if (sharedRuntime) sharedRuntime.dispose();
    sharedRuntime = QuickJS.newRuntime();
    runtimeUses = 0;
  }
  runtimeUses++;
  let reusable = false;
  const logs = [];
  let logBytes = 0;
  let logsTruncated = false;
  // Once the deadline passes every further step is interrupted, and whatever error surfaces
  // (a rejected job, a failed read of the result) is reported as the timeout it is.
  let interrupted = false;
  const runtime = sharedRuntime;
  let vm;
  const handles = [];
  try {
    runtime.setMemoryLimit(task.memoryBytes);
    runtime.setMaxStackSize(task.stackBytes);
    const deadline = Date.now() + task.timeoutMs;
    runtime.setInterruptHandler(function () {
      if (Date.now() > deadline) interrupted = true;
      return interrupted;
    });
    vm = runtime.newContext();
    const logFn = vm.newFunction("log", function (levelHandle, messageHandle) {
      if (logsTruncated) return;
      const level = vm.getString(levelHandle);
      let message = vm.getString(messageHandle);
      const room = task.maxLogBytes - logBytes;
      if (logs.length >= task.maxLogLines || room <= 0) {
        logsTruncated = true;
        return;
      }
      if (Buffer.byteLength(message) > room) {
        message = Buffer.from(message).subarray(0, room).toString().replace(/\uFFFD$/, "");
        logsTruncated = true;
      }
      logBytes += Buffer.byteLength(message);
      logs.push({ level: level, message: message });
    });
    vm.setProp(vm.global, "__braidLog", logFn);
    logFn.dispose();
    const prelude = vm.evalCode(PRELUDE, "prelude.js");
    if (prelude.error) throw new TaskError(sandboxError(vm, handles[handles.push(prelude.error) - 1], 0));
    const call = handles[handles.push(prelude.value) - 1];
    const compiledFn = vm.evalCode(task.script, "code.js");
    if (compiledFn.error) throw new TaskError(sandboxError(vm, handles[handles.push(compiledFn.error) - 1], task.lineOffset));
    handles.push(compiledFn.value);
    const data = handles[handles.push(vm.newString(task.data)) - 1];
    const started = vm.callFunction(call, vm.undefined, compiledFn.value, data);
    if (started.error) throw new TaskError(sandboxError(vm, handles[handles.push(started.error) - 1], task.lineOffset));
    const outcome = handles[handles.push(started.value) - 1];
    let text;
    for (;;) {
      if (vm.typeof(outcome) === "string") {
        text = vm.getString(outcome);
        break;
      }
      const state = vm.getPromiseState(outcome);
      if (state.type === "fulfilled") {
        handles.push(state.value);
        if (vm.typeof(state.value) !== "string") throw new TaskError({ kind: "result", message: "the code replaced the sandbox's Promise machinery; return plain data" });
        text = vm.getString(state.value);
        break;
      }
      if (state.type === "rejected") throw new TaskError(sandboxError(vm, handles[handles.push(state.error) - 1], task.lineOffset));
      if (!runtime.hasPendingJob()) throw new TaskError({ kind: "runtime", message: "the code awaited a promise that never settles (there are no timers or I/O in the sandbox)" });
      const jobs = runtime.executePendingJobs(1000);
      if (jobs.error) throw new TaskError(sandboxError(vm, handles[handles.push(jobs.error) - 1], task.lineOffset));
    }
    if (text[0] === "E") {
      const info = JSON.parse(text.slice(1));
      throw new TaskError(described(String(info.name), String(info.message), info.stack, task.lineOffset));
    }
    if (text[0] !== "R") throw new TaskError({ kind: "result", message: "the code replaced the sandbox's Promise machinery; return plain data" });
    reusable = true;
    return { json: text.slice(1), logs: logs, logsTruncated: logsTruncated };
  } catch (err) {
    if (interrupted) err = new TaskError({ kind: "timeout", message: "interrupted" });
    if (err instanceof TaskError) {
      reusable = err.error.kind === "runtime" || err.error.kind === "result" || err.error.kind === "syntax";
      err.error.logs = logs;
      err.error.logsTruncated = logsTruncated;
      throw err;
    }
    // A host-level exception (one that unwound through WASM frames) may leave the module's own
    // stack inconsistent: this worker is replaced once it has answered.
    parentPort.postMessage({ recycle: true });
    const message = err && err.message ? String(err.message) : String(err);
    throw new TaskError({ kind: classify("InternalError", message), message: message, logs: logs, logsTruncated: logsTruncated });
  } finally {
    for (const h of handles) {
      try {
        if (h.alive) h.dispose();
      } catch (e) {}
    }
    try {
      if (runtime.hasPendingJob()) reusable = false;
      if (vm) vm.dispose();
      if (!reusable) {
        sharedRuntime = null;
        runtime.dispose();
      }
    } catch (e) {
      // A runtime that cannot be freed (after an out-of-memory) taints the WASM heap: start anew.
      sharedRuntime = null;
      parentPort.postMessage({ recycle: true });
    }
  }
}

async function runJsonata(task) {
  let expr;
  try {
    expr = compileJsonata(task.source, task.limits);
  } catch (err) {
    throw new TaskError({ message: err && err.message ? String(err.message) : String(err), position: err && err.position });
  }
  try {
    const value = await expr.evaluate(task.scope, task.bindings);
    return { json: value === undefined ? undefined : JSON.stringify(value, function (k, v) {
      return typeof v === "function" ? undefined : v;
    }) };
  } catch (err) {
    throw new TaskError({ message: err && err.message ? String(err.message) : String(err), position: err && err.position, code: err && err.code });
  }
}

parentPort.on("message", function (task) {
  const run = task.kind === "code" ? runCode(task) : runJsonata(task);
  run.then(
    function (result) {
      parentPort.postMessage({ id: task.id, ok: true, result: result });
    },
    function (err) {
      const error = err instanceof TaskError ? err.error : { kind: "runtime", message: String(err && err.message ? err.message : err) };
      parentPort.postMessage({ id: task.id, ok: false, error: error });
    },
  );
});

if (workerData.warm) getQuickJS().then(function () {}, function () {});
`;
