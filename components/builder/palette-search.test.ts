import { describe, expect, it } from "vitest";
import { filterPalette } from "./palette-search";

const entries = [
  { type: "trigger", label: "Trigger", description: "Starts the workflow with its inputs" },
  { type: "http", label: "HTTP request", description: "Calls a URL and returns the response" },
  { type: "code", label: "Code", description: "Runs JavaScript in a sandbox" },
  { type: "transform", label: "Transform", description: "Reshapes data with an expression" },
  { type: "condition", label: "Condition", description: "Routes to true or false" },
];
const types = (query: string) => filterPalette(entries, query).map((e) => e.type);

describe("filterPalette", () => {
  it("keeps every entry, in order, for an empty query", () => {
    expect(types("")).toEqual(["trigger", "http", "code", "transform", "condition"]);
    expect(types("   ")).toHaveLength(5);
  });

  it("matches the label and the description, case-insensitively", () => {
    expect(types("HTTP")).toEqual(["http"]);
    expect(types("javascript")).toEqual(["code"]);
    expect(types("url")).toEqual(["http"]);
  });

  it("needs every word to match somewhere", () => {
    expect(types("reshapes expression")).toEqual(["transform"]);
    expect(types("reshapes url")).toEqual([]);
  });

  it("ranks label matches before description matches, label starts first", () => {
    // "tr": Trigger and Transform start with it, Condition's description has "true".
    expect(types("tr")).toEqual(["trigger", "transform", "condition"]);
    // "request": in HTTP request's label (word start), nowhere else.
    expect(types("request")).toEqual(["http"]);
  });

  it("finds nothing for a word no entry has", () => {
    expect(types("kafka")).toEqual([]);
  });
});
