import { describe, expect, it } from "vitest";
import type { LlmRequest } from "@/lib/engine/ports";
import { cacheKey, canonicalJson, isLlmCachedValue } from "./llm-cache";

const base: LlmRequest = { model: "gpt-4o-mini", prompt: "hi", system: "s", temperature: 0.5, maxTokens: 10 };

describe("cacheKey", () => {
  it("is llm:v1: and a SHA-256 hex digest", () => {
    expect(cacheKey(base)).toMatch(/^llm:v1:[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<LlmRequest>]>([
    ["model", { model: "gpt-4o" }],
    ["prompt", { prompt: "hi!" }],
    ["system", { system: undefined }],
    ["temperature", { temperature: 0.6 }],
    ["temperature unset", { temperature: undefined }],
    ["maxTokens", { maxTokens: 11 }],
    ["json", { json: true }],
  ])("changes with %s", (_what, change) => {
    expect(cacheKey({ ...base, ...change })).not.toBe(cacheKey(base));
  });

  it.each<[string, Partial<LlmRequest>]>([
    ["cache flag", { cache: false }],
    ["TTL", { cacheTtlSeconds: 5 }],
    ["json false vs unset", { json: false }],
  ])("ignores %s", (_what, change) => {
    expect(cacheKey({ ...base, ...change })).toBe(cacheKey(base));
  });

  it("does not depend on property order, and separates providers", () => {
    const reordered: LlmRequest = {
      maxTokens: 10,
      temperature: 0.5,
      system: "s",
      prompt: "hi",
      model: "gpt-4o-mini",
    };
    expect(cacheKey(reordered)).toBe(cacheKey(base));
    expect(cacheKey(base, "http://localhost:11434/v1")).not.toBe(cacheKey(base));
  });

  it("does not confuse a prompt with a system prompt", () => {
    expect(cacheKey({ model: "m", prompt: "a", system: "b" })).not.toBe(
      cacheKey({ model: "m", prompt: "b", system: "a" }),
    );
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe("isLlmCachedValue", () => {
  it.each([
    [{ text: "t", model: "m", usage: { promptTokens: 1, completionTokens: 2 } }, true],
    [{ text: "t", model: "m" }, false],
    ["a string", false],
    [null, false],
  ])("%j → %s", (value, ok) => {
    expect(isLlmCachedValue(value)).toBe(ok);
  });
});
