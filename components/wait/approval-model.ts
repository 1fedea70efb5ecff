import type { WaitResolution } from "@/lib/engine/ports";
import type { ApprovalFieldSchema } from "@/lib/nodes/wait/approval";

/*
 * The approval form's logic (`/approve/<token>` and the execution page): the values it starts
 * with, the body it posts to `POST /api/resume/<token>`, and what it makes of the answer. Pure.
 */

/** The form's values by field name: text as typed (numbers too), checkboxes as booleans. */
export type ApprovalValues = Record<string, string | boolean>;

/** Empty text for text, number and select fields; unchecked boxes. */
export function initialValues(fields: readonly ApprovalFieldSchema[]): ApprovalValues {
  return Object.fromEntries(fields.map((f) => [f.name, f.type === "boolean" ? false : ""]));
}

/**
 * The answer's body: `{ approved, comment?, data }`. An empty field is left out (the server says
 * when it is required); a number that reads as one is sent as a number, anything else as typed,
 * so the server names what is wrong with it.
 */
export function answerBody(
  fields: readonly ApprovalFieldSchema[],
  values: ApprovalValues,
  approved: boolean,
  comment: string,
): { approved: boolean; comment?: string; data: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.type === "boolean") {
      data[f.name] = v === true;
      continue;
    }
    if (typeof v !== "string" || v.trim() === "") continue;
    if (f.type === "number") {
      const n = Number(v.trim());
      data[f.name] = Number.isFinite(n) ? n : v;
    } else {
      data[f.name] = v;
    }
  }
  const body: { approved: boolean; comment?: string; data: Record<string, unknown> } = { approved, data };
  if (comment.trim() !== "") body.comment = comment.trim();
  return body;
}

/** What the server said to an answer, as the form shows it. */
export type AnswerResult =
  | { kind: "done"; approved: boolean }
  /** 422: messages by field name; `message` for what names no field. */
  | { kind: "invalid"; fieldErrors: Record<string, string>; message?: string }
  /** 409: someone (or a timeout) answered first. */
  | { kind: "answered"; outcome?: WaitResolution }
  /** 404, or 409 after a cancel: nothing waits for an answer any more. */
  | { kind: "closed"; message: string }
  | { kind: "error"; message: string };

interface ErrorAnswer {
  error?: {
    code?: string;
    message?: string;
    issues?: Array<{ path?: string; message?: string }>;
    outcome?: unknown;
  };
}

/** Reads the answer to `POST /api/resume/<token>` (its status and JSON body). */
export function readAnswer(
  status: number,
  body: unknown,
  approved: boolean,
  fields: readonly ApprovalFieldSchema[],
): AnswerResult {
  if (status >= 200 && status < 300) return { kind: "done", approved };
  const error = (body as ErrorAnswer | null)?.error;
  if (status === 422 || status === 400) {
    const names = new Set(fields.map((f) => f.name));
    const fieldErrors: Record<string, string> = {};
    const other: string[] = [];
    for (const issue of error?.issues ?? []) {
      const name = issue.path?.startsWith("data.") ? issue.path.slice(5) : undefined;
      const message = issue.message ?? "is not valid";
      if (name !== undefined && names.has(name)) fieldErrors[name] ??= message;
      else other.push(issue.path ? `${issue.path}: ${message}` : message);
    }
    if (Object.keys(fieldErrors).length === 0 && other.length === 0)
      other.push(error?.message ?? "The answer is not valid.");
    return other.length > 0
      ? { kind: "invalid", fieldErrors, message: other.join("; ") }
      : { kind: "invalid", fieldErrors };
  }
  if (status === 409 && error?.code === "already_resumed")
    return { kind: "answered", outcome: asResolution(error.outcome) };
  if (status === 409 || status === 404)
    return {
      kind: "closed",
      message:
        error?.code === "cancelled"
          ? "The run was cancelled: this approval is closed."
          : "This approval is closed: its run has ended.",
    };
  return { kind: "error", message: error?.message ?? `The server answered ${status}. Try again.` };
}

function asResolution(v: unknown): WaitResolution | undefined {
  const r = v as Partial<WaitResolution> | null | undefined;
  return r && typeof r === "object" && typeof r.by === "string" && typeof r.resumedAt === "string"
    ? (r as WaitResolution)
    : undefined;
}

/** "Approved", "Rejected", "Timed out", or how else the wait was resumed. */
export function outcomeLabel(outcome: WaitResolution | undefined): string {
  if (!outcome) return "Answered";
  if (outcome.by === "timeout") return "Timed out";
  if (outcome.approved === true) return "Approved";
  if (outcome.approved === false) return "Rejected";
  return `Resumed (${outcome.by})`;
}

/** Data larger than this (as pretty JSON) starts collapsed. */
export const LARGE_DATA_CHARS = 1200;
/** Data shown at most; the rest is cut with a note. */
const MAX_DATA_CHARS = 100_000;

/** The data an approval was given, as pretty JSON: whether it is large, and the text (clipped). */
export function dataPreview(data: unknown): { text: string; large: boolean } | undefined {
  if (data === undefined) return undefined;
  const full = JSON.stringify(data, null, 2) ?? String(data);
  const text =
    full.length > MAX_DATA_CHARS
      ? `${full.slice(0, MAX_DATA_CHARS)}\n… (${full.length - MAX_DATA_CHARS} more characters)`
      : full;
  return { text, large: full.length > LARGE_DATA_CHARS || full.split("\n").length > 30 };
}
