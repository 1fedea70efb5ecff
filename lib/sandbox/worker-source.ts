/**
 * The program each sandbox worker runs, as CommonJS text for `new Worker(source, { eval: true })`.
 * It is text, not a file, so that Next.js server bundles, tsx and Vitest all start it the same way
 * with no bundler support for worker entry points; its packages (QuickJS, JSONata) are loaded from
 * the project's node_modules (`workerData.base`), listed in `serverExternalPackages`.
 *
 * Tasks, one at a time per worker:
 * - `code`: a fresh QuickJS context per task in a reused runtime, with a memory limit, a stack
 *   limit and an interrupt handler at the deadline. Data enters as one JSON string (parsed by the
 *   context's own `JSON.parse`) and leaves as one JSON string; `console.*` are host functions that
 *   only read their arguments through the context's original `JSON.stringify` and `String`.
 * - `jsonata`: an expression evaluated with JSONata's own guardrails; the pool kills the worker
 *   (and its V8 heap, bounded by `resourceLimits`) if it runs past them.
 *
 * Warm throughput (issue #14): QuickJS compiles about 150 ns per source byte here, so per-context
 * JavaScript is kept to one small replacer; everything else is host calls on handles captured
 * before user code runs. The next context is built while the worker would otherwise wait for the
 * main thread (after each answer), so a call pays only for compiling and running the user's code.
 */
export const WORKER_SOURCE = String.raw`
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { createRequire } = require("node:module");
const load = createRequire(workerData.base);

let quickjsLoading;
let QuickJS = null;
function getQuickJS() {
  if (!quickjsLoading) {
    const core = load("quickjs-emscripten-core");
    const variant = load("@jitl/quickjs-wasmfile-release-sync");
    quickjsLoading = core.newQuickJSWASMModuleFromVariant(variant.default || variant).then(function (module) {
      QuickJS = module;
      return module;
    });
  }
  return quickjsLoading;
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
  // $append doubles a list in one allocation: bounded like JSONata's own sequences, because one
  // huge array allocation can exhaust the worker's capped heap before V8 can stop the worker,
  // and that takes the whole process down.
  const maxItems = (limits && limits.sequence) || 1000000;
  expr.assign("append", function (a, b) {
    if (a === undefined) return b;
    if (b === undefined) return a;
    const size = (Array.isArray(a) ? a.length : 1) + (Array.isArray(b) ? b.length : 1);
    if (size > maxItems) {
      throw { message: "$append would build a list of " + size + " items (at most " + maxItems + ")" };
    }
    return (Array.isArray(a) ? a : [a]).concat(b);
  });
  if (compiled.size > 1000) compiled.clear();
  compiled.set(source, expr);
  return expr;
}

// The JSON.stringify replacer of the result, compiled in each context before user code runs so
// that it holds the context's original Error.
const CHECK = [
  "(function (ErrorCtor) {",
  "  return function (key, value) {",
  "    const t = typeof value;",
  "    if (t === 'function' || t === 'symbol' || t === 'bigint') {",
  "      const e = new ErrorCtor('the result contains a ' + t + (key === '' ? '' : ' at key \"' + key + '\"') + '; return JSON data only');",
  "      e.name = 'BraidResultError';",
  "      throw e;",
  "    }",
  "    return value;",
  "  };",
  "})(Error)",
].join("\n");

// Reads what user code threw: compiled only on that path, after user code ran, so it touches
// nothing global; StringFn is the context's original String.
const DESCRIBE = [
  "(function (StringFn, e) {",
  "  if (e !== null && (typeof e === 'object' || typeof e === 'function'))",
  "    return [StringFn(e.name), StringFn(e.message), typeof e.stack === 'string' ? e.stack : ''];",
  "  return ['Error', 'uncaught ' + (typeof e === 'string' ? e : StringFn(e)), ''];",
  "})",
].join("\n");

const PARAMETERS = ["input", "inputs", "nodes", "item", "index"];
const CONSOLE = [["log", "info"], ["info", "info"], ["warn", "warn"], ["error", "error"], ["debug", "debug"]];

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

/** What QuickJS itself says of an error value (used when the sandbox cannot be asked). */
function dumpInfo(vm, handle) {
  let info;
  try {
    info = vm.dump(handle);
  } catch (e) {
    info = { name: "InternalError", message: "out of memory" };
  }
  if (info === null || typeof info !== "object") info = { name: "Error", message: String(info) };
  return { name: String(info.name || "Error"), message: String(info.message || ""), stack: info.stack };
}

function sandboxError(vm, handle, offset) {
  const info = dumpInfo(vm, handle);
  return described(info.name, info.message, info.stack, offset);
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

/** name, message and stack of a value user code threw, read in the sandbox; null if that fails. */
function describeThrown(box, handle) {
  const vm = box.vm;
  if (!box.describe) {
    const made = vm.evalCode(DESCRIBE, "describe.js");
    if (made.error) {
      made.error.dispose();
      return null;
    }
    box.describe = own(box, made.value);
  }
  const r = vm.callFunction(box.describe, vm.undefined, box.string, handle);
  if (r.error) {
    r.error.dispose();
    return null;
  }
  try {
    const part = function (i) {
      const p = vm.getProp(r.value, i);
      try {
        return vm.typeof(p) === "string" ? vm.getString(p) : "";
      } finally {
        p.dispose();
      }
    };
    return { name: part(0), message: part(1), stack: part(2) };
  } finally {
    r.value.dispose();
  }
}

function thrown(box, handle, offset) {
  const info = describeThrown(box, handle) || dumpInfo(box.vm, handle);
  return described(info.name, info.message, info.stack, offset);
}

/** The result as JSON text, through the context's original JSON.stringify and the replacer. */
function serialize(box, value) {
  const vm = box.vm;
  if (vm.typeof(value) === "undefined") return "null";
  const r = vm.callFunction(box.stringify, vm.undefined, value, box.check);
  if (r.error) {
    const info = describeThrown(box, r.error) || dumpInfo(vm, r.error);
    r.error.dispose();
    const message = info.name === "BraidResultError" ? info.message : "the result is not JSON: " + info.message;
    throw new TaskError(described("BraidResultError", message, "", 0));
  }
  const text = vm.typeof(r.value) === "string" ? vm.getString(r.value) : "null";
  r.value.dispose();
  return text;
}

// ---- console: host functions, one per level ----

/** A console argument as text: strings as they are, objects as JSON, the rest through String. */
function show(box, handle) {
  const vm = box.vm;
  const type = vm.typeof(handle);
  if (type === "string") return vm.getString(handle);
  if (type === "object") {
    const r = vm.callFunction(box.stringify, vm.undefined, handle);
    if (!r.error) {
      const text = vm.typeof(r.value) === "string" ? vm.getString(r.value) : "undefined";
      r.value.dispose();
      return text;
    }
    r.error.dispose();
  }
  // Anything String throws goes back to the code that logged, as it would from its own console.
  const r = vm.callFunction(box.string, vm.undefined, handle);
  if (r.error) return r;
  const text = vm.getString(r.value);
  r.value.dispose();
  return text;
}

function logger(box, level) {
  return function () {
    const state = box.state;
    if (!state || state.truncated) return;
    let line = "";
    for (let i = 0; i < arguments.length; i++) {
      const part = show(box, arguments[i]);
      if (typeof part !== "string") return part;
      line += (i ? " " : "") + part;
    }
    record(state, level, line);
  };
}

function record(state, level, line) {
  if (state.truncated) return;
  let message = line;
  const room = state.maxBytes - state.bytes;
  if (state.logs.length >= state.maxLines || room <= 0) {
    state.truncated = true;
    return;
  }
  if (Buffer.byteLength(message) > room) {
    message = Buffer.from(message).subarray(0, room).toString().replace(/\uFFFD$/, "");
    state.truncated = true;
  }
  state.bytes += Buffer.byteLength(message);
  state.logs.push({ level: level, message: message });
}

// ---- contexts ----

function own(box, handle) {
  box.handles.push(handle);
  return handle;
}

/**
 * A fresh context, ready for one task: the context's own JSON.stringify, JSON.parse and String
 * captured, the result replacer compiled, console installed. No user code has run in it.
 */
function prepare(runtime) {
  runtime.setMemoryLimit(-1);
  const vm = runtime.newContext();
  const box = { vm: vm, handles: [], state: null, describe: null, stringify: null, parse: null, string: null, check: null };
  try {
    const json = vm.getProp(vm.global, "JSON");
    box.stringify = own(box, vm.getProp(json, "stringify"));
    box.parse = own(box, vm.getProp(json, "parse"));
    json.dispose();
    box.string = own(box, vm.getProp(vm.global, "String"));
    const check = vm.evalCode(CHECK, "check.js");
    if (check.error) {
      const info = dumpInfo(vm, check.error);
      check.error.dispose();
      throw new Error("the sandbox could not be prepared: " + info.message);
    }
    box.check = own(box, check.value);
    const consoleObject = vm.newObject();
    for (const [name, level] of CONSOLE) {
      const fn = vm.newFunction(name, logger(box, level));
      vm.setProp(consoleObject, name, fn);
      fn.dispose();
    }
    vm.setProp(vm.global, "console", consoleObject);
    consoleObject.dispose();
  } catch (err) {
    release(box);
    throw err;
  }
  return box;
}

function release(box) {
  const handles = box.handles;
  box.handles = [];
  box.state = null;
  for (const h of handles) {
    if (h.alive) h.dispose();
  }
  box.vm.dispose();
}

// One QuickJS runtime is reused across tasks (each task still gets a fresh context); it is
// replaced after a failure that may leave it in a bad state, when a task leaves jobs pending (so
// no job of one task ever runs in the next), and every REUSE_MAX contexts.
const REUSE_MAX = 1000;
let sharedRuntime = null;
let runtimeUses = 0;
/** The context built ahead for the next task (never seen by user code). */
let spare = null;
/** Set once this worker asked to be replaced: it builds nothing more. */
let recycling = false;
// The running task's deadline; once it passes every further step is interrupted.
let deadline = Infinity;
let interrupted = false;
function shouldInterrupt() {
  if (!interrupted && Date.now() > deadline) interrupted = true;
  return interrupted;
}

function recycle() {
  recycling = true;
  parentPort.postMessage({ recycle: true });
}

function dropRuntime() {
  const runtime = sharedRuntime;
  const box = spare;
  sharedRuntime = null;
  spare = null;
  try {
    if (box) release(box);
    if (runtime) runtime.dispose();
  } catch (e) {
    // A runtime that cannot be freed (after an out-of-memory) taints the WASM heap: start anew.
    recycle();
  }
}

/** The runtime for the next context, replaced every REUSE_MAX contexts. */
function currentRuntime() {
  if (!sharedRuntime || runtimeUses >= REUSE_MAX) {
    dropRuntime();
    sharedRuntime = QuickJS.newRuntime();
    sharedRuntime.setInterruptHandler(shouldInterrupt);
    runtimeUses = 0;
  }
  return sharedRuntime;
}

function takeSandbox() {
  if (spare) {
    const box = spare;
    spare = null;
    return box;
  }
  const runtime = currentRuntime();
  runtimeUses++;
  return prepare(runtime);
}

/** Builds the next task's context while the worker waits for it. */
function prepareSpare() {
  if (spare || recycling || !QuickJS) return;
  try {
    const runtime = currentRuntime();
    runtimeUses++;
    spare = prepare(runtime);
  } catch (e) {
    spare = null;
    dropRuntime();
  }
}

function runCode(task) {
  const box = takeSandbox();
  const runtime = sharedRuntime;
  const vm = box.vm;
  const state = { logs: [], bytes: 0, truncated: false, maxLines: task.maxLogLines, maxBytes: task.maxLogBytes };
  box.state = state;
  let reusable = false;
  const handles = [];
  const hold = function (h) {
    handles.push(h);
    return h;
  };
  try {
    runtime.setMemoryLimit(task.memoryBytes);
    runtime.setMaxStackSize(task.stackBytes);
    interrupted = false;
    deadline = Date.now() + task.timeoutMs;
    const compiledFn = vm.evalCode(task.script, "code.js");
    if (compiledFn.error) throw new TaskError(sandboxError(vm, hold(compiledFn.error), task.lineOffset));
    const fn = hold(compiledFn.value);
    const parsed = vm.callFunction(box.parse, vm.undefined, hold(vm.newString(task.data)));
    if (parsed.error) throw new TaskError(sandboxError(vm, hold(parsed.error), 0));
    const data = hold(parsed.value);
    const args = [];
    for (const key of PARAMETERS) args.push(hold(vm.getProp(data, key)));
    const started = vm.callFunction(fn, vm.undefined, args);
    if (started.error) throw new TaskError(thrown(box, hold(started.error), task.lineOffset));
    const promise = hold(started.value);
    // The async function's own promise is read by its internal state, never through then(), so
    // code that replaces Promise.prototype.then changes nothing here.
    let value;
    for (;;) {
      const settled = vm.getPromiseState(promise);
      if (settled.type === "fulfilled") {
        value = settled.notAPromise ? promise : hold(settled.value);
        break;
      }
      if (settled.type === "rejected") throw new TaskError(thrown(box, hold(settled.error), task.lineOffset));
      if (!runtime.hasPendingJob()) throw new TaskError({ kind: "runtime", message: "the code awaited a promise that never settles (there are no timers or I/O in the sandbox)" });
      const jobs = runtime.executePendingJobs(1000);
      if (jobs.error) throw new TaskError(sandboxError(vm, hold(jobs.error), task.lineOffset));
    }
    const json = serialize(box, value);
    reusable = true;
    return { json: json, logs: state.logs, logsTruncated: state.truncated };
  } catch (err) {
    if (interrupted) err = new TaskError({ kind: "timeout", message: "interrupted" });
    if (err instanceof TaskError) {
      reusable = err.error.kind === "runtime" || err.error.kind === "result" || err.error.kind === "syntax";
      err.error.logs = state.logs;
      err.error.logsTruncated = state.truncated;
      throw err;
    }
    // A host-level exception (one that unwound through WASM frames) may leave the module's own
    // stack inconsistent: this worker is replaced once it has answered.
    recycle();
    const message = err && err.message ? String(err.message) : String(err);
    throw new TaskError({ kind: classify("InternalError", message), message: message, logs: state.logs, logsTruncated: state.truncated });
  } finally {
    deadline = Infinity;
    interrupted = false;
    box.state = null;
    for (const h of handles) {
      try {
        if (h.alive) h.dispose();
      } catch (e) {}
    }
    try {
      if (runtime.hasPendingJob()) reusable = false;
      release(box);
      if (!reusable && sharedRuntime === runtime) dropRuntime();
    } catch (e) {
      sharedRuntime = null;
      spare = null;
      recycle();
    }
  }
}

function answerCode(task) {
  try {
    parentPort.postMessage({ id: task.id, claim: task.claim, ok: true, result: runCode(task) });
  } catch (err) {
    const error = err instanceof TaskError ? err.error : { kind: "runtime", message: String(err && err.message ? err.message : err) };
    parentPort.postMessage({ id: task.id, claim: task.claim, ok: false, error: error });
  }
  setImmediate(prepareSpare);
}

// The pool may hand this worker a task before it finished the last one, and take it back until
// it starts: a task runs only if this worker claims its cell first.
const claims = workerData.claims ? new Int32Array(workerData.claims) : null;
function claim(task) {
  if (!claims || task.claim === undefined) return true;
  return !recycling && Atomics.compareExchange(claims, task.claim, 0, 1) === 0;
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

function skip(task) {
  parentPort.postMessage({ id: task.id, claim: task.claim, skipped: true });
}

/** Runs a code task unless the pool took it back first. */
function startCode(task) {
  if (claim(task)) answerCode(task);
  else skip(task);
}

// Code tasks that came before QuickJS was ready, claimed only when they start.
const early = [];
function startEarly() {
  while (early.length > 0) startCode(early.shift());
}
function failEarly(err) {
  while (early.length > 0) {
    const task = early.shift();
    if (!claim(task)) skip(task);
    else parentPort.postMessage({ id: task.id, claim: task.claim, ok: false, error: { kind: "runtime", message: "the sandbox could not start: " + String(err && err.message ? err.message : err) } });
  }
}

parentPort.on("message", function (task) {
  if (task.kind === "code") {
    if (QuickJS) startCode(task);
    else {
      early.push(task);
      getQuickJS().then(startEarly, failEarly);
    }
    return;
  }
  if (!claim(task)) {
    skip(task);
    return;
  }
  runJsonata(task).then(
    function (result) {
      parentPort.postMessage({ id: task.id, claim: task.claim, ok: true, result: result });
    },
    function (err) {
      const error = err instanceof TaskError ? err.error : { kind: "runtime", message: String(err && err.message ? err.message : err) };
      parentPort.postMessage({ id: task.id, claim: task.claim, ok: false, error: error });
    },
  );
});

if (workerData.warm) getQuickJS().then(prepareSpare, function () {});
`;
