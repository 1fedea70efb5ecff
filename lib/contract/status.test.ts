import { describe, expect, it } from "vitest";
import { ExecutionStatus, isFinishedNode, isSettled, isTerminal, NodeStatus } from "./status";

describe("execution statuses", () => {
  it.each<[ExecutionStatus, boolean, boolean]>([
    ["queued", false, false],
    ["running", false, false],
    ["paused", false, true],
    ["waiting", false, true],
    ["succeeded", true, true],
    ["failed", true, true],
    ["cancelled", true, true],
  ])("%s: terminal %s, settled %s", (status, terminal, settled) => {
    expect(isTerminal(status)).toBe(terminal);
    expect(isSettled(status)).toBe(settled);
  });

  it("covers every status of the enum, and nothing else is terminal", () => {
    expect(ExecutionStatus.options).toHaveLength(7);
    expect(isTerminal("starting")).toBe(false);
    expect(isSettled("")).toBe(false);
  });
});

describe("node statuses", () => {
  it.each<[NodeStatus, boolean]>([
    ["pending", false],
    ["running", false],
    ["waiting", false],
    ["succeeded", true],
    ["failed", true],
    ["skipped", true],
    ["cancelled", true],
  ])("%s counts as finished: %s", (status, finished) => {
    expect(isFinishedNode(status)).toBe(finished);
  });

  it("covers every status of the enum", () => {
    expect(NodeStatus.options).toHaveLength(7);
  });
});
