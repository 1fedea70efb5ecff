import "server-only";
import { type ExpressionIsolate, setExpressionIsolate } from "@/lib/engine/expressions";
import { getExpressionPool, PoolTaskError, type SandboxPool } from "./pool";

/** How long past JSONata's own timeout a worker may stay busy before it is terminated. */
export const EXPRESSION_KILL_GRACE_MS = 250;

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
            scope,
            bindings,
            limits: { timeout: limits.timeout, stack: limits.stack },
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
