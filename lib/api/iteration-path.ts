import { AppError } from "./errors";

/** A loop item's index path in a URL: `7`, or `3.0` / `3.0.1` when nested (loops nest 3 deep). */
const ITERATION_PATH = /^\d{1,6}(\.\d{1,6}){0,2}$/;

/** The `:path` of an iterations route as numbers, or a 400 naming it. */
export function iterationPathOrThrow(path: string): number[] {
  if (!ITERATION_PATH.test(path)) {
    throw new AppError(
      400,
      "invalid_request",
      'path: an item index path such as "7" or "3.0" (at most 3 levels)',
    );
  }
  return path.split(".").map(Number);
}
