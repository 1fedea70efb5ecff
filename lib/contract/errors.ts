import { z } from "zod";

/** One problem with a request, `path` naming the field (`nodes[0].config.url`). */
export const ValidationIssue = z.object({ path: z.string(), code: z.string(), message: z.string() });
export type ValidationIssue = z.infer<typeof ValidationIssue>;

/** The JSON error body every route answers a 4xx/5xx with (SPEC §3). */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(ValidationIssue).optional(),
    outcome: z.unknown().optional().describe("A 409 of a resume: how the wait was already resumed"),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * An error the caller caused or should see: it carries its HTTP status and a stable code. Thrown
 * by services at any layer; `lib/api/errors.ts` turns it into the `ErrorBody` answer.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ValidationIssue[],
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers?: Record<string, string>,
    /** A 409 of a resume: how the wait was already resumed (`error.outcome`). */
    readonly outcome?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** A 404 `not_found` naming what was not found. */
export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found`);
