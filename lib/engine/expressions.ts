import jsonata from "jsonata";
import { parseTemplate, scanTemplate, unwrapExpression } from "@/lib/contract/template";
import { boundedPad } from "@/lib/security/bounded-pad";
import { findUnsafeRegex } from "@/lib/security/regex-guard";
import { guardAppend, guardStringBuiltins } from "@/lib/security/string-guards";
import { EngineError } from "./errors";

/** What expressions read: SPEC §1 `{ inputs, nodes, input }`, plus `secrets` when the run has any. */
export interface ExpressionScope {
  inputs: unknown;
  nodes: Record<string, unknown>;
  input: unknown;
  secrets?: Record<string, string>;
  /** Inside a loop body: the item and its index (also bound as `$item` and `$index`). */
  item?: unknown;
  index?: number;
}

/** Where an expression sits, for error messages: `transform "t1" config.expression`. */
export interface ExpressionSite {
  nodeType: string;
  nodeId: string;
  field: string;
}

/** Guardrails of one evaluation: wall time, nesting depth and sequence length. */
export const EXPRESSION_LIMITS = { timeout: 1_000, stack: 500, sequence: 1_000_000 } as const;
const LIMITS = EXPRESSION_LIMITS;

/**
 * Where expressions that are not provably bounded run: somewhere they can be stopped at once,
 * whatever they are doing (the server's worker-thread pool: a hard kill past the time limit and a
 * bounded heap). The engine stays pure: the server installs one with `setExpressionIsolate`;
 * without one, every expression runs in-process under JSONata's guardrails and the regex guard.
 */
export interface ExpressionIsolate {
  /** Resolves with the plain result; rejects with an error whose message says what stopped it. */
  evaluate(
    source: string,
    scope: ExpressionScope,
    bindings: Record<string, unknown> | undefined,
    limits: typeof EXPRESSION_LIMITS,
  ): Promise<unknown>;
}

/**
 * Kept on globalThis, not in a module variable: Next.js bundles instrumentation.ts (which installs
 * it) apart from the route handlers, and each bundle may hold its own copy of this module.
 */
const ISOLATE_SLOT = Symbol.for("braid.expressionIsolate");
type IsolateSlot = { [ISOLATE_SLOT]?: ExpressionIsolate };

/** Installs (or, with undefined, removes) the isolate for expressions that need one. */
export function setExpressionIsolate(next: ExpressionIsolate | undefined): void {
  (globalThis as IsolateSlot)[ISOLATE_SLOT] = next;
}
const CACHE_MAX = 10_000;
const cache = new Map<string, jsonata.Expression>();
const bounded = new Map<string, boolean>();

const notAvailable = (name: string) => () => {
  throw new EngineError("expression", `$${name} is not available`);
};

function compile(source: string): jsonata.Expression {
  let expr = cache.get(source);
  if (expr) return expr;
  expr = jsonata(unwrapExpression(source), LIMITS);
  // `$eval` would compile strings taken from data outside this cache and its limits.
  expr.assign("eval", notAvailable("eval"));
  // A backtracking regex or a huge `$pad` runs synchronously past any timeout (or aborts the process).
  const unsafeRegex = findUnsafeRegex(expr.ast());
  if (unsafeRegex) throw new EngineError("expression", unsafeRegex);
  expr.registerFunction("pad", boundedPad, "<s-ns?:s>");
  guardStringBuiltins(expr);
  guardAppend(expr, LIMITS.sequence);
  if (cache.size >= CACHE_MAX) {
    cache.clear();
    bounded.clear();
  }
  cache.set(source, expr);
  bounded.set(source, isProvablyBounded(expr.ast()));
  return expr;
}

/**
 * Built-ins whose cost is at most O(n log n) in the size of their arguments and that run no
 * regular expression built from user text (`$toMillis` and the `$format*` pictures do, `$distinct`
 * is quadratic). The string ones are length-guarded (string-guards.ts), `$pad` is bounded.
 */
const LINEAR_BUILTINS = new Set([
  "sum",
  "count",
  "max",
  "min",
  "average",
  "string",
  "number",
  "boolean",
  "not",
  "exists",
  "type",
  "length",
  "substring",
  "substringBefore",
  "substringAfter",
  "uppercase",
  "lowercase",
  "trim",
  "contains",
  "split",
  "join",
  "replace",
  "pad",
  "keys",
  "lookup",
  "spread",
  "merge",
  "append",
  "reverse",
  "sort",
  "shuffle",
  "zip",
  "abs",
  "floor",
  "ceil",
  "round",
  "power",
  "sqrt",
  "random",
  "now",
  "millis",
  "fromMillis",
  "base64encode",
  "base64decode",
  "encodeUrlComponent",
  "encodeUrl",
  "decodeUrlComponent",
  "decodeUrl",
  "formatBase",
  "assert",
  "error",
]);

/**
 * True when an expression provably cannot run away in-process: no regex literal, lambda, partial
 * application, range, transform or variable bound to a function, and calls only to
 * LINEAR_BUILTINS. Then each native step between two of JSONata's guardrail checks (time, depth)
 * costs at most O(n log n) in data that is already bounded, so the 1 s timeout holds. Anything
 * else may spend unbounded time inside one native call (a backtracking regex) and goes to the
 * isolate, when one is installed.
 */
function isProvablyBounded(node: unknown): boolean {
  if (node === null || typeof node !== "object") return true;
  if (Array.isArray(node)) return node.every(isProvablyBounded);
  const n = node as { type?: unknown; value?: unknown; procedure?: { type?: unknown; value?: unknown } };
  switch (n.type) {
    case "regex":
    case "lambda":
    case "partial":
    case "transform":
      return false;
    case "binary":
      if (n.value === "..") return false;
      break;
    case "function":
      if (n.procedure?.type !== "variable" || !LINEAR_BUILTINS.has(String(n.procedure.value))) return false;
      break;
    case "variable":
      if (
        typeof n.value === "string" &&
        n.value !== "" &&
        !LINEAR_BUILTINS.has(n.value) &&
        isBuiltinName(n.value)
      )
        return false;
      break;
  }
  for (const [key, child] of Object.entries(n)) {
    if (key === "procedure") continue;
    if (typeof child === "object" && child !== null && !isProvablyBounded(child)) return false;
  }
  return true;
}

const OTHER_BUILTINS = new Set([
  "match",
  "eval",
  "toMillis",
  "formatNumber",
  "formatInteger",
  "parseInteger",
  "distinct",
  "map",
  "filter",
  "single",
  "reduce",
  "sift",
  "each",
  "clone",
  "partition",
]);

function isBuiltinName(name: string): boolean {
  return OTHER_BUILTINS.has(name);
}

/** Whether `source` runs in-process (provably bounded) rather than in the isolate. For tests and benches. */
export function runsInProcess(source: string): boolean {
  compile(source);
  return bounded.get(source) === true;
}

function shorten(source: string): string {
  const s = source.trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

function expressionError(site: ExpressionSite, source: string, err: unknown): EngineError {
  const raw = err && typeof err === "object" && "message" in err ? String(err.message) : String(err);
  const position =
    err && typeof err === "object" && "position" in err && typeof err.position === "number"
      ? ` (at ${err.position})`
      : "";
  return new EngineError(
    "expression",
    `${site.nodeType} "${site.nodeId}" ${site.field} "${shorten(source)}": ${raw}${position}`,
  );
}

/**
 * Evaluates a JSONata expression over `scope` (bounded in time, depth and sequence size; JSONata has
 * no way to reach the host). `bindings` adds variables such as `$item`. Errors name the site.
 */
export async function evaluateExpression(
  source: string,
  scope: ExpressionScope,
  site: ExpressionSite,
  bindings?: Record<string, unknown>,
): Promise<unknown> {
  let expr: jsonata.Expression;
  try {
    expr = compile(source);
  } catch (err) {
    throw expressionError(site, source, err);
  }
  if (scope.index !== undefined) bindings = { item: scope.item, index: scope.index, ...bindings };
  try {
    const isolate = (globalThis as IsolateSlot)[ISOLATE_SLOT];
    if (isolate && bounded.get(source) === false)
      return await isolate.evaluate(unwrapExpression(source), scope, bindings, LIMITS);
    return toPlain(await expr.evaluate(scope, bindings));
  } catch (err) {
    throw expressionError(site, source, err);
  }
}

/** Checks that an expression compiles; returns the error message or undefined. */
export function expressionSyntaxError(source: string): string | undefined {
  try {
    compile(source);
    return undefined;
  } catch (err) {
    return err && typeof err === "object" && "message" in err ? String(err.message) : String(err);
  }
}

/** The syntax error of each `{{ … }}` expression embedded in a text, if any (for save-time checks). */
export function templateSyntaxError(text: string): string | undefined {
  for (const part of scanTemplate(text)) {
    if (typeof part === "string") continue;
    const problem = expressionSyntaxError(part.expr);
    if (problem) return `{{ ${shorten(part.expr)} }}: ${problem}`;
  }
  return undefined;
}

/** How a value reads inside a text: strings as is, nothing as "", objects and arrays as JSON. */
export function stringifyValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Renders `{{ expr }}` templates in one string: a string that is exactly one template yields the
 * raw value; otherwise each value is stringified into the text.
 */
export async function renderTemplate(
  text: string,
  scope: ExpressionScope,
  site: ExpressionSite,
): Promise<unknown> {
  if (!text.includes("{{")) return text;
  const parsed = parseTemplate(text);
  if (!Array.isArray(parsed)) {
    if (parsed.whole.trim() === "") throw expressionError(site, text, new Error("empty template"));
    return evaluateExpression(parsed.whole, scope, site);
  }
  let out = "";
  for (const part of parsed) {
    if (typeof part === "string") out += part;
    else if (part.expr.trim() === "") throw expressionError(site, text, new Error("empty template"));
    else out += stringifyValue(await evaluateExpression(part.expr, scope, site));
  }
  return out;
}

/** Renders templates in every string of `value`, deep through objects and arrays (keys are left alone). */
export async function renderTemplates(
  value: unknown,
  scope: ExpressionScope,
  site: ExpressionSite,
): Promise<unknown> {
  if (typeof value === "string") return renderTemplate(value, scope, site);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      out.push(await renderTemplates(value[i], scope, { ...site, field: `${site.field}[${i}]` }));
    }
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = await renderTemplates(v, scope, { ...site, field: `${site.field}.${key}` });
    }
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Turns a JSONata result into plain data: sequences become ordinary arrays and functions
 * (lambdas) disappear. Unchanged sub-trees are shared, not copied.
 */
export function toPlain(value: unknown): unknown {
  if (typeof value === "function") return undefined;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const special = "sequence" in value || "outerWrapper" in value || "keepSingleton" in value;
    let out: unknown[] | undefined = special ? new Array(value.length) : undefined;
    for (let i = 0; i < value.length; i++) {
      const child = value[i];
      const plain = toPlain(child);
      if (out) out[i] = plain;
      else if (plain !== child) {
        out = value.slice(0, i);
        out[i] = plain;
      }
    }
    return out ?? value;
  }
  if (!isPlainObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const child = value[key];
    const plain = toPlain(child);
    if (out) {
      if (plain !== undefined) out[key] = plain;
    } else if (plain !== child) {
      out = {};
      for (const k in value) {
        if (k === key) break;
        out[k] = value[k];
      }
      if (plain !== undefined) out[key] = plain;
    }
  }
  return out ?? value;
}
