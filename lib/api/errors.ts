import type { z } from "zod";
import { AppError, type ErrorBody, notFound, type ValidationIssue } from "@/lib/contract/errors";
import { isConnectionError } from "@/lib/db/connection-errors";
import { loggableError } from "@/lib/security/safe-error";
import { findUnstorableText } from "@/lib/security/storable";
import { fromZodIssues } from "@/lib/workflow/validate";

export { AppError, type ErrorBody, notFound };

/** Maps any thrown value to a response: AppError → its status; anything else → 500 with no internals. */
export function errorResponse(err: unknown): Response {
  if (err instanceof AppError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.issues) body.error.issues = err.issues;
    if (err.outcome !== undefined) body.error.outcome = err.outcome;
    return Response.json(body, { status: err.status, ...(err.headers ? { headers: err.headers } : {}) });
  }
  if (isConnectionError(err)) {
    // The database is down or restarting: nothing was decided, the client may retry shortly.
    return Response.json(
      {
        error: { code: "unavailable", message: "the database is unreachable; retry shortly" },
      } satisfies ErrorBody,
      { status: 503, headers: { "retry-after": "2" } },
    );
  }
  console.error("unhandled error in route", loggableError(err));
  return Response.json({ error: { code: "internal", message: "internal error" } } satisfies ErrorBody, {
    status: 500,
  });
}

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

/** Wraps a route handler so every error goes through `errorResponse`. */
export function withErrors<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      return await handler(req, ctx);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Reads a request body as UTF-8 text, refusing more than `maxBytes` (413) as it streams in. */
export async function readBodyText(req: Request, maxBytes = MAX_BODY_BYTES): Promise<string> {
  const tooLarge = () => new AppError(413, "body_too_large", `request body is over ${maxBytes} bytes`);
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** How deeply objects and arrays may nest in a JSON body. */
export const MAX_JSON_DEPTH = 64;

/** The media type of a request, lowercased without parameters (`""` when absent). */
export function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

const isJsonType = (type: string) => type === "application/json" || type.endsWith("+json");

const notJson = (type: string) =>
  new AppError(
    415,
    "unsupported_media_type",
    `content-type: ${type ? `"${type.slice(0, 100)}"` : "missing"}; send application/json`,
  );

/**
 * Reads a JSON body, refusing: another content type than `application/json` (or `+json`) (415;
 * `anyContentType` skips this for routes that checked it themselves), more than `maxBytes` (413),
 * malformed JSON (400), nesting deeper than MAX_JSON_DEPTH (422) and text Postgres cannot store
 * (422). An empty body reads as `emptyAs` when given (with no content type needed), else is a 400.
 */
export async function readJson(
  req: Request,
  options: { maxBytes?: number; emptyAs?: unknown; anyContentType?: boolean } = {},
): Promise<unknown> {
  const type = mediaType(req);
  const typeOk = options.anyContentType || isJsonType(type);
  if (!typeOk && !(type === "" && "emptyAs" in options)) throw notJson(type);
  const text = await readBodyText(req, options.maxBytes);
  if (text.trim() === "") {
    if ("emptyAs" in options) return options.emptyAs;
    throw new AppError(400, "invalid_json", "request body is empty; expected JSON");
  }
  if (!typeOk) throw notJson(type);
  if (jsonDepthOver(text, MAX_JSON_DEPTH)) {
    const message = `JSON nests deeper than the limit of ${MAX_JSON_DEPTH} levels`;
    throw new AppError(422, "too_deep", `body: ${message}`, [{ path: "", code: "too_deep", message }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AppError(400, "invalid_json", `request body is not valid JSON: ${(err as Error).message}`);
  }
  return assertStorable(parsed);
}

/** Whether JSON text opens more than `max` objects/arrays inside each other (strings skipped). */
export function jsonDepthOver(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/** `value` itself, or a 422 naming the first text in it that Postgres cannot store (a NUL). */
export function assertStorable<T>(value: T): T {
  const unstorable = findUnstorableText(value);
  if (unstorable) throw new AppError(422, "invalid_request", describeIssues([unstorable]), [unstorable]);
  return value;
}

/** Parses `data` with a zod schema or throws a 422 whose issues name each offending path. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  data: unknown,
  base: PropertyKey[] = [],
): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issues = fromZodIssues(parsed.error.issues, base);
    throw new AppError(422, "invalid_request", describeIssues(issues), issues);
  }
  return parsed.data;
}

/** The largest version `If-Match` may name (Postgres `integer`). */
const MAX_VERSION = 2_147_483_647;

/**
 * The workflow version an `If-Match` header expects: absent, empty or `*` → `undefined` (no
 * check); a version (quotes and `W/` allowed) from 1 to 2^31−1 → that number; anything else → 400.
 */
export function parseIfMatch(header: string | null): number | undefined {
  if (header === null) return undefined;
  const value = header.trim().replace(/^W\//, "").replaceAll('"', "");
  if (value === "" || value === "*") return undefined;
  const version = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(version >= 1 && version <= MAX_VERSION)) {
    throw new AppError(
      400,
      "invalid_request",
      `if-match: expected a workflow version from 1 to ${MAX_VERSION}, got "${header.slice(0, 40)}"`,
      [{ path: "if-match", code: "invalid_header", message: `expected a version from 1 to ${MAX_VERSION}` }],
    );
  }
  return version;
}

/** "nodes[3].config.url: url is required (and 2 more)". */
export function describeIssues(issues: ValidationIssue[]): string {
  const first = issues[0];
  if (!first) return "invalid request";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `${first.path || "body"}: ${first.message}${more}`;
}
