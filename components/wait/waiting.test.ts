import { describe, expect, it } from "vitest";
import { formatCountdown, msUntil, ticks, waitingText, waitTokenOf } from "./waiting";

const now = Date.parse("2026-12-01T10:00:00Z");
const inMs = (ms: number) => new Date(now + ms).toISOString();

describe("formatCountdown", () => {
  it.each([
    [0, "0s"],
    [-5000, "0s"],
    [1, "1s"],
    [999, "1s"],
    [12_000, "12s"],
    [59_001, "1m 00s"],
    [252_000, "4m 12s"],
    [3_599_000, "59m 59s"],
    [3_600_000, "1h 00m"],
    [3_900_000, "1h 05m"],
    [86_400_000, "1d 0h"],
    [3 * 86_400_000 + 4 * 3_600_000 + 1000, "3d 4h"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });
});

describe("waitingText", () => {
  it("counts down to a timer, then says it is resuming", () => {
    expect(waitingText({ for: "time", until: inMs(252_000) }, now)).toBe("resumes in 4m 12s");
    expect(waitingText({ for: "time", until: inMs(0) }, now)).toBe("resuming…");
    expect(waitingText({ for: "time" }, now)).toBe("waiting for its timer");
    expect(waitingText({ for: "time", until: "not a time" }, now)).toBe("waiting for its timer");
  });

  it("names an approval, a webhook, a child execution and waiting items", () => {
    expect(waitingText({ for: "approval", approvalUrl: "/approve/x" }, now)).toBe("waiting for approval");
    expect(waitingText({ for: "webhook" }, now)).toBe("waiting for a webhook");
    expect(waitingText({ for: "execution" }, now)).toBe("waiting for its child execution");
    expect(waitingText({ for: "items" }, now)).toBe("items are waiting");
    expect(waitingText({ for: "something-new" }, now)).toBe("waiting for something-new");
  });

  it("adds an approval's timeout and the correlation key", () => {
    expect(waitingText({ for: "approval", until: inMs(90_000) }, now)).toBe(
      "waiting for approval · times out in 1m 30s",
    );
    expect(waitingText({ for: "webhook", until: inMs(-1) }, now)).toBe("waiting for a webhook · timing out…");
    expect(waitingText({ for: "webhook", key: "order-42" }, now)).toBe(
      "waiting for a webhook · key order-42",
    );
  });
});

describe("msUntil and ticks", () => {
  it("reads the time left, if any", () => {
    expect(msUntil({ for: "time", until: inMs(5000) }, now)).toBe(5000);
    expect(msUntil({ for: "approval" }, now)).toBeUndefined();
    expect(msUntil(undefined, now)).toBeUndefined();
    expect(ticks({ for: "time", until: inMs(5000) })).toBe(true);
    expect(ticks({ for: "approval" })).toBe(false);
  });
});

describe("waitTokenOf", () => {
  it("reads the token of relative and absolute links", () => {
    expect(waitTokenOf("/approve/AbC_-12")).toBe("AbC_-12");
    expect(waitTokenOf("https://braid.example.com/approve/tok")).toBe("tok");
    expect(waitTokenOf("https://braid.example.com/base/api/resume/tok/")).toBe("tok");
  });

  it("finds none in other links", () => {
    expect(waitTokenOf("/executions/abc")).toBeUndefined();
    expect(waitTokenOf("/approve/")).toBeUndefined();
    expect(waitTokenOf("/approve/a%2Fb")).toBeUndefined();
    expect(waitTokenOf("")).toBeUndefined();
  });
});
