"use client";

import { useId, useState } from "react";
import type { WaitResolution } from "@/lib/engine/ports";
import type { ApprovalFieldSchema } from "@/lib/nodes/wait/approval";
import {
  type AnswerResult,
  type ApprovalValues,
  answerBody,
  initialValues,
  outcomeLabel,
  readAnswer,
} from "./approval-model";
import "./wait.css";

/**
 * The answer to an approval: its form's fields, a comment, Approve and Reject. Posts to
 * `POST /api/resume/<token>` (no session needed: the token is the credential). A 422 puts each
 * problem next to its field and the approval stays open; a 409 shows the earlier answer; a 404 or
 * a cancelled run closes it. Used by `/approve/<token>` and, compact, by the execution page.
 */
export function ApprovalForm({
  token,
  fields,
  compact = false,
  onAnswered,
}: {
  token: string;
  fields: readonly ApprovalFieldSchema[];
  compact?: boolean;
  /** Called with what the server said, once it no longer waits for this form (not after a 422). */
  onAnswered?: (result: AnswerResult) => void;
}) {
  const id = useId();
  const [values, setValues] = useState<ApprovalValues>(() => initialValues(fields));
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState<"approve" | "reject" | null>(null);
  const [result, setResult] = useState<AnswerResult | null>(null);

  async function answer(approved: boolean) {
    setBusy(approved ? "approve" : "reject");
    try {
      const res = await fetch(`/api/resume/${encodeURIComponent(token)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(answerBody(fields, values, approved, comment)),
      });
      const next = readAnswer(res.status, await res.json().catch(() => null), approved, fields);
      setResult(next);
      if (next.kind !== "invalid" && next.kind !== "error") onAnswered?.(next);
    } catch {
      setResult({
        kind: "error",
        message: "The server did not answer. Check your connection and try again.",
      });
    } finally {
      setBusy(null);
    }
  }

  if (result?.kind === "done") {
    return (
      <div
        className="approval-result"
        role="status"
        data-outcome={result.approved ? "approved" : "rejected"}
        data-testid="approval-result"
      >
        <strong>{result.approved ? "Approved" : "Rejected"} — thank you.</strong>
        {compact ? null : <span>The workflow goes on with your answer. You can close this page.</span>}
      </div>
    );
  }
  if (result?.kind === "answered") {
    return <AnsweredNotice outcome={result.outcome} prefix="Already answered" />;
  }
  if (result?.kind === "closed") {
    return (
      <div className="approval-result" role="status" data-outcome="closed" data-testid="approval-result">
        <strong>Closed.</strong> <span>{result.message}</span>
      </div>
    );
  }

  const fieldErrors = result?.kind === "invalid" ? result.fieldErrors : {};
  const formError =
    result?.kind === "invalid"
      ? (result.message ?? "Some answers need a fix: see the fields above.")
      : result?.kind === "error"
        ? result.message
        : undefined;
  const set = (name: string, value: string | boolean) => setValues((prev) => ({ ...prev, [name]: value }));

  return (
    <form
      className={`approval-form${compact ? " is-compact" : ""}`}
      noValidate
      aria-busy={busy !== null}
      onSubmit={(e) => e.preventDefault()}
      data-testid="approval-form"
    >
      {fields.map((f) => {
        const inputId = `${id}-${f.name}`;
        const error = fieldErrors[f.name];
        const errorId = `${inputId}-error`;
        const common = {
          id: inputId,
          name: f.name,
          "aria-invalid": error ? true : undefined,
          "aria-describedby": error ? errorId : undefined,
          "data-testid": `approval-field-${f.name}`,
        };
        const label = (
          <>
            {f.label ?? f.name}
            {f.required ? (
              <span className="approval-required" aria-hidden="true">
                {" "}
                *
              </span>
            ) : null}
          </>
        );
        const value = values[f.name];
        return (
          <div
            key={f.name}
            className={`approval-field${f.type === "boolean" ? " is-check" : ""}${error ? " has-error" : ""}`}
          >
            {f.type === "boolean" ? (
              <label htmlFor={inputId}>
                <input
                  {...common}
                  type="checkbox"
                  checked={value === true}
                  onChange={(e) => set(f.name, e.target.checked)}
                />
                <span>{label}</span>
              </label>
            ) : (
              <>
                <label htmlFor={inputId}>{label}</label>
                {f.type === "select" ? (
                  <select
                    {...common}
                    value={typeof value === "string" ? value : ""}
                    required={f.required}
                    onChange={(e) => set(f.name, e.target.value)}
                  >
                    <option value="">Choose…</option>
                    {(f.options ?? []).map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    {...common}
                    type={f.type === "number" ? "number" : "text"}
                    inputMode={f.type === "number" ? "decimal" : undefined}
                    step={f.type === "number" ? "any" : undefined}
                    required={f.required}
                    autoComplete="off"
                    value={typeof value === "string" ? value : ""}
                    onChange={(e) => set(f.name, e.target.value)}
                  />
                )}
              </>
            )}
            {error ? (
              <p
                className="approval-error"
                id={errorId}
                role="alert"
                data-testid={`approval-error-${f.name}`}
              >
                {error}
              </p>
            ) : null}
          </div>
        );
      })}
      <div className="approval-field">
        <label htmlFor={`${id}-comment`}>Comment (optional)</label>
        <textarea
          id={`${id}-comment`}
          rows={compact ? 2 : 3}
          value={comment}
          maxLength={10_000}
          onChange={(e) => setComment(e.target.value)}
          data-testid="approval-comment"
        />
      </div>
      {formError ? (
        <p className="approval-error approval-form-error" role="alert" data-testid="approval-form-error">
          {formError}
        </p>
      ) : null}
      <div className="approval-actions">
        <button
          type="button"
          className="btn btn-danger approval-button"
          disabled={busy !== null}
          onClick={() => void answer(false)}
          data-testid="approval-reject"
        >
          {busy === "reject" ? "Rejecting…" : "Reject"}
        </button>
        <button
          type="button"
          className="btn btn-primary approval-button"
          disabled={busy !== null}
          onClick={() => void answer(true)}
          data-testid="approval-approve"
        >
          {busy === "approve" ? "Approving…" : "Approve"}
        </button>
      </div>
    </form>
  );
}

/** How an approval was answered: approved or rejected (with the comment), or timed out. */
export function AnsweredNotice({
  outcome,
  prefix,
}: {
  outcome: WaitResolution | undefined;
  prefix?: string;
}) {
  const label = outcomeLabel(outcome);
  const data = outcome?.data;
  const answers =
    data && typeof data === "object" && !Array.isArray(data)
      ? Object.entries(data as Record<string, unknown>)
      : [];
  const outcomeKey =
    outcome?.approved === true
      ? "approved"
      : outcome?.approved === false
        ? "rejected"
        : (outcome?.by ?? "answered");
  return (
    <div className="approval-result" role="status" data-outcome={outcomeKey} data-testid="approval-result">
      <strong>{prefix ? `${prefix}: ${label.toLowerCase()}` : label}</strong>
      {outcome?.resumedAt ? (
        <span className="approval-when">
          on <time dateTime={outcome.resumedAt}>{formatWhen(outcome.resumedAt)}</time>
        </span>
      ) : null}
      {outcome?.comment ? (
        <blockquote className="approval-comment" data-testid="approval-result-comment">
          {outcome.comment}
        </blockquote>
      ) : null}
      {answers.length > 0 ? (
        <dl className="approval-answers">
          {answers.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{typeof v === "string" ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}

/** "Dec 1, 2026, 10:00 UTC": the same text on the server and in the browser. */
function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" })}, ${d
    .toISOString()
    .slice(11, 16)} UTC`;
}
