import "server-only";
import type { CodeRunner } from "@/lib/engine/ports";
import { CodeError } from "./code-error";
import { runCode } from "./run-code";

/**
 * The engine's code port on the sandbox pool: user code's failures (syntax, runtime, timeout,
 * memory, stack, bad result) come back as outcomes with the lines it logged, never as host errors;
 * an abort (a cancelled run) rejects with the signal's reason.
 */
export function createSandboxCodeRunner(): CodeRunner {
  return {
    async run(request, { signal }) {
      try {
        const result = await runCode({ ...request, signal });
        return { ok: true, value: result.value, logs: result.logs };
      } catch (err) {
        if (!(err instanceof CodeError)) throw err;
        const error: { message: string; code: string; line?: number; column?: number } = {
          message: err.message,
          code: `code_${err.kind}`,
        };
        if (err.line !== undefined) error.line = err.line;
        if (err.column !== undefined) error.column = err.column;
        return { ok: false, error, logs: err.logs };
      }
    },
  };
}
