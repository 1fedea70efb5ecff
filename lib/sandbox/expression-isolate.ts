import "server-only";
import jsonata from "jsonata";
import { type ExpressionIsolate, type ExpressionScope, setExpressionIsolate } from "@/lib/engine/expressions";
import { getExpressionPool, PoolTaskError, type SandboxPool } from "./pool";

/** How long past JSONata's own timeout a worker may stay busy before it is terminated. */
export const EXPRESSION_KILL_GRACE_MS = 250;

type AstNode = { type?: string; value?: unknown; steps?: AstNode[]; [key: string]: unknown };
/** What an expression can read of its scope: everything, or some keys and some node outputs. */
type Needs = "all" | { keys: Set<string>; nodes: "all" | Set<string> };
const NEEDS_MAX = 10_000;
const needsCache = new Map<string, Needs>();
const ROOT_READERS = new Set(["wildcard", "descendant", "parent"]);

function plainStep(step: AstNode | undefined): step is AstNode {
  if (step?.type !== "name") return false;
  return !["stages", "predicate", "group", "focus", "index", "tuple", "ancestor"].some(
    (k) => step[k] !== undefined,
  );
}

/**
 * The parts of the scope an expression can reach, so that only those are copied to the worker.
 * Conservative: `$`, `$$`, `*`, `**` and `%` may read the whole scope; `nodes` not followed by a
 * plain `.name` step reads every node output. Names are collected wherever they appear, which can
 * only over-include (a relative `fetch` inside a predicate also copies `nodes.fetch`).
 */
function analyse(source: string): Needs {
  const cached = needsCache.get(source);
  if (cached) return cached;
  let needs: Needs;
  try {
    const ast = jsonata(source).ast() as AstNode;
    const keys = new Set<string>();
    let nodes: "all" | Set<string> = new Set();
    const viaPath = new Set<AstNode>();
    let all = false;
    const visit = (node: unknown): void => {
      if (all || node === null || typeof node !== "object") return;
      if (Array.isArray(node)) {
        for (const n of node) visit(n);
        return;
      }
      const n = node as AstNode;
      if (n.type && ROOT_READERS.has(n.type)) all = true;
      if (n.type === "variable" && (n.value === "" || n.value === "$")) all = true;
      if (n.type === "path" && Array.isArray(n.steps)) {
        const [first, second] = n.steps;
        if (first?.type === "name" && first.value === "nodes" && plainStep(first) && plainStep(second)) {
          viaPath.add(first);
          if (nodes !== "all") nodes.add(String(second.value));
        }
      }
      if (n.type === "name" && typeof n.value === "string") {
        keys.add(n.value);
        if (n.value === "nodes" && !viaPath.has(n)) nodes = "all";
      }
      for (const child of Object.values(n)) if (typeof child === "object") visit(child);
    };
    visit(ast);
    needs = all ? "all" : { keys, nodes };
  } catch {
    needs = "all";
  }
  if (needsCache.size >= NEEDS_MAX) needsCache.clear();
  needsCache.set(source, needs);
  return needs;
}

/** The part of `scope` that `source` can read (the whole scope when in doubt). */
export function neededScope(source: string, scope: ExpressionScope): Record<string, unknown> {
  const needs = analyse(source);
  if (needs === "all") return scope as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(scope)) {
    if (key === "nodes") continue;
    if (needs.keys.has(key)) out[key] = value;
  }
  if (needs.keys.has("nodes")) {
    if (needs.nodes === "all") out.nodes = scope.nodes;
    else {
      const picked: Record<string, unknown> = {};
      for (const id of needs.nodes) if (Object.hasOwn(scope.nodes, id)) picked[id] = scope.nodes[id];
      out.nodes = picked;
    }
  }
  return out;
}

/**
 * The expression isolate on the sandbox pool: JSONata on a worker thread, its result back as
 * JSON. Past the expression time limit (plus a short grace) the worker is terminated, even inside
 * a native regex match, and replaced; its heap is bounded by the pool's `resourceLimits`.
 */
export function createPoolExpressionIsolate(pool?: SandboxPool): ExpressionIsolate {
  return {
    async evaluate(source, scope, bindings, limits) {
      const hardTimeoutMs = limits.timeout + EXPRESSION_KILL_GRACE_MS;
      let answer: { json?: string };
      try {
        answer = (await (pool ?? getExpressionPool()).run({
          task: {
            kind: "jsonata",
            source,
            scope: neededScope(source, scope),
            bindings,
            limits: { timeout: limits.timeout, stack: limits.stack, sequence: limits.sequence },
          },
          hardTimeoutMs,
          onHardTimeout: {
            kind: "timeout",
            message: `evaluation stopped: it ran past its ${limits.timeout} ms limit inside one step (the worker was terminated)`,
          },
        })) as typeof answer;
      } catch (err) {
        if (err instanceof PoolTaskError) {
          const e = new Error(err.failure.message) as Error & { position?: number };
          if (typeof err.failure.position === "number") e.position = err.failure.position;
          throw e;
        }
        throw err;
      }
      return answer.json === undefined ? undefined : JSON.parse(answer.json);
    },
  };
}

/** Sends every expression that is not provably bounded to the process-wide pool (server start-up). */
export function installExpressionIsolate(): void {
  setExpressionIsolate(createPoolExpressionIsolate());
}
