import { describe, expect, it } from "vitest";
import { costOf, DEFAULT_PRICES, parsePrices, priceOf } from "./prices";

describe("LLM prices", () => {
  it.each<[string, string, { promptTokens: number; completionTokens: number }, number | null]>([
    ["a default model", "gpt-4o-mini", { promptTokens: 1_000_000, completionTokens: 1_000_000 }, 0.75],
    [
      "a dated snapshot of a default model",
      "gpt-4o-2024-08-06",
      { promptTokens: 1000, completionTokens: 500 },
      0.0075,
    ],
    ["a small call", "gpt-4.1-nano", { promptTokens: 12, completionTokens: 3 }, 0.000002],
    ["an unknown model", "my-local-llama", { promptTokens: 1000, completionTokens: 1000 }, null],
    ["zero tokens", "gpt-4o", { promptTokens: 0, completionTokens: 0 }, 0],
  ])("prices %s", (_what, model, usage, expected) => {
    expect(costOf(DEFAULT_PRICES, model, usage)).toBe(expected);
  });

  it("merges LLM_PRICES over the defaults", () => {
    const prices = parsePrices(
      '{"my-local-llama":{"input":0.01,"output":0.02},"gpt-4o":{"input":1,"output":2}}',
    );
    expect(priceOf(prices, "my-local-llama")).toEqual({ input: 0.01, output: 0.02 });
    expect(priceOf(prices, "gpt-4o")).toEqual({ input: 1, output: 2 });
    expect(priceOf(prices, "gpt-4o-mini")).toEqual(DEFAULT_PRICES["gpt-4o-mini"]);
    expect(costOf(prices, "my-local-llama", { promptTokens: 1_000_000, completionTokens: 0 })).toBe(0.01);
  });

  it.each([
    ["not JSON", "{", /LLM_PRICES is not JSON/],
    ["a negative price", '{"m":{"input":-1,"output":1}}', /LLM_PRICES\.m\.input/],
    ["a missing output price", '{"m":{"input":1}}', /LLM_PRICES\.m\.output/],
    ["an unknown field", '{"m":{"input":1,"output":1,"cached":1}}', /LLM_PRICES\.m/],
  ])("rejects %s, naming the entry", (_what, json, message) => {
    expect(() => parsePrices(json)).toThrow(message);
  });
});
