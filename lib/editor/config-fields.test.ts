import { describe, expect, it } from "vitest";
import { nodeTypes } from "@/lib/nodes/registry";
import { configFieldsOf, visibleConfigFields } from "./config-fields";

const keysFor = (config: Record<string, unknown>, errors?: Record<string, string>) =>
  visibleConfigFields(configFieldsOf("wait"), config, errors).map((f) => f.key);

describe("visibleConfigFields", () => {
  it("shows a wait node only the fields of what it waits for, and its key and timeout always", () => {
    expect(keysFor({ for: "duration" })).toEqual(["for", "ms", "correlationKey", "timeoutMs"]);
    expect(keysFor({ for: "until" })).toEqual(["for", "at", "correlationKey", "timeoutMs"]);
    expect(keysFor({ for: "webhook" })).toEqual(["for", "correlationKey", "timeoutMs"]);
    expect(keysFor({ for: "approval" })).toEqual([
      "for",
      "title",
      "message",
      "fields",
      "correlationKey",
      "timeoutMs",
    ]);
  });

  it("shows a hidden field while it has an error", () => {
    expect(keysFor({ for: "webhook" }, { "config.title": "too long" })).toEqual([
      "for",
      "title",
      "correlationKey",
      "timeoutMs",
    ]);
  });

  it("shows every field of a type that declares no visibility", () => {
    const fields = configFieldsOf("http");
    expect(visibleConfigFields(fields, {})).toEqual([...fields]);
  });

  it("reads the wait node's defaults as an approval", () => {
    expect(keysFor(nodeTypes.wait.defaults)).toContain("title");
  });
});
