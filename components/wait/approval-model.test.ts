import { describe, expect, it } from "vitest";
import type { ApprovalFieldSchema } from "@/lib/nodes/wait/approval";
import { answerBody, dataPreview, initialValues, outcomeLabel, readAnswer } from "./approval-model";

const fields: ApprovalFieldSchema[] = [
  { name: "amount", type: "number", required: true },
  { name: "note", type: "text" },
  { name: "urgent", type: "boolean" },
  { name: "team", type: "select", options: ["a", "b"] },
];

describe("initialValues and answerBody", () => {
  it("starts empty and unchecked", () => {
    expect(initialValues(fields)).toEqual({ amount: "", note: "", urgent: false, team: "" });
  });

  it("leaves empty fields out, sends numbers as numbers and booleans always", () => {
    expect(answerBody(fields, initialValues(fields), true, "  ")).toEqual({
      approved: true,
      data: { urgent: false },
    });
    expect(
      answerBody(fields, { amount: " 120.5 ", note: "hi", urgent: true, team: "b" }, false, " ok "),
    ).toEqual({
      approved: false,
      comment: "ok",
      data: { amount: 120.5, note: "hi", urgent: true, team: "b" },
    });
  });

  it("sends a number that does not read as one as typed, for the server to name", () => {
    expect(answerBody(fields, { amount: "12abc" }, true, "").data).toEqual({
      amount: "12abc",
      urgent: false,
    });
  });
});

describe("readAnswer", () => {
  it("reads success", () => {
    expect(readAnswer(200, { resumed: true }, false, fields)).toEqual({ kind: "done", approved: false });
  });

  it("puts 422 issues next to their fields, and the rest in one message", () => {
    const body = {
      error: {
        code: "invalid_request",
        message: "data.amount: amount is required",
        issues: [
          { path: "data.amount", code: "invalid_value", message: "amount is required" },
          { path: "data.amount", code: "invalid_value", message: "second message" },
          { path: "data.other", code: "invalid_value", message: 'the form has no field "other"' },
        ],
      },
    };
    expect(readAnswer(422, body, true, fields)).toEqual({
      kind: "invalid",
      fieldErrors: { amount: "amount is required" },
      message: 'data.other: the form has no field "other"',
    });
    expect(
      readAnswer(422, { error: { issues: [{ path: "data.team", message: "bad" }] } }, true, fields),
    ).toEqual({ kind: "invalid", fieldErrors: { team: "bad" } });
    expect(readAnswer(422, { error: { message: "approved: expected boolean" } }, true, fields)).toEqual({
      kind: "invalid",
      fieldErrors: {},
      message: "approved: expected boolean",
    });
  });

  it("tells an earlier answer from a closed approval", () => {
    const outcome = { by: "approval", approved: true, resumedAt: "2026-12-01T10:00:00Z" };
    expect(readAnswer(409, { error: { code: "already_resumed", outcome } }, false, fields)).toEqual({
      kind: "answered",
      outcome,
    });
    expect(readAnswer(409, { error: { code: "already_resumed", outcome: "junk" } }, false, fields)).toEqual({
      kind: "answered",
      outcome: undefined,
    });
    expect(readAnswer(409, { error: { code: "cancelled" } }, true, fields)).toMatchObject({
      kind: "closed",
      message: expect.stringContaining("cancelled"),
    });
    expect(readAnswer(404, { error: { code: "not_found" } }, true, fields)).toMatchObject({ kind: "closed" });
  });

  it("passes other failures on", () => {
    expect(readAnswer(500, null, true, fields)).toEqual({
      kind: "error",
      message: "The server answered 500. Try again.",
    });
    expect(readAnswer(429, { error: { message: "slow down" } }, true, fields)).toEqual({
      kind: "error",
      message: "slow down",
    });
  });
});

describe("outcomeLabel", () => {
  it.each([
    [{ by: "approval", approved: true }, "Approved"],
    [{ by: "approval", approved: false }, "Rejected"],
    [{ by: "timeout" }, "Timed out"],
    [{ by: "webhook" }, "Resumed (webhook)"],
    [undefined, "Answered"],
  ] as const)("%j → %s", (outcome, label) => {
    expect(outcomeLabel(outcome && { resumedAt: "2026-12-01T10:00:00Z", ...outcome })).toBe(label);
  });
});

describe("dataPreview", () => {
  it("shows pretty JSON, large data collapsed and huge data clipped", () => {
    expect(dataPreview(undefined)).toBeUndefined();
    expect(dataPreview({ a: 1 })).toEqual({ text: '{\n  "a": 1\n}', large: false });
    expect(dataPreview(Array.from({ length: 40 }, (_, i) => i))?.large).toBe(true);
    expect(dataPreview({ s: "x".repeat(2000) })?.large).toBe(true);
    const huge = dataPreview({ s: "x".repeat(200_000) });
    expect(huge?.text.length).toBeLessThan(101_000);
    expect(huge?.text).toMatch(/more characters\)$/);
  });
});
