import { describe, expect, it } from "vitest";
import { formatUsd, nodeCostLabel } from "./cost";

describe("cost display", () => {
  it.each<[number | null | undefined, string]>([
    [0, "$0"],
    [0.0123, "$0.0123"],
    [0.000123456, "$0.000123"],
    [2.5, "$2.50"],
    [null, "—"],
    [undefined, "—"],
  ])("formats %s as %s", (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });

  it.each([
    [{ cached: true, savedUsd: 0.0123, costUsd: 0 }, "saved $0.0123"],
    [{ cached: true, savedUsd: null, costUsd: 0 }, "saved (no price)"],
    [{ cached: false, savedUsd: undefined, costUsd: 0.0004 }, "$0.0004"],
    [{ cached: false, savedUsd: undefined, costUsd: null }, "no price"],
  ])("labels %o as %s", (cost, label) => {
    expect(nodeCostLabel({ promptTokens: 1, completionTokens: 1, ...cost })).toBe(label);
  });
});
