import "server-only";
import { AppError } from "@/lib/api/errors";
import type { ValidationIssue } from "@/lib/workflow/validate";

/** What a server action returns when it refuses: a stable code, a sentence, and per-path issues. */
export interface ActionFailure {
  ok: false;
  code: string;
  message: string;
  issues?: ValidationIssue[];
}

/** Maps any thrown value to an `ActionFailure`; unknown errors are logged and reported without internals. */
export function toActionFailure(err: unknown): ActionFailure {
  if (err instanceof AppError) {
    const failure: ActionFailure = { ok: false, code: err.code, message: err.message };
    if (err.issues) failure.issues = err.issues;
    return failure;
  }
  console.error("unhandled error in server action", err instanceof Error ? err.stack : err);
  return { ok: false, code: "internal", message: "Something went wrong on the server. Try again." };
}
