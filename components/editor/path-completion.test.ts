import { describe, expect, it } from "vitest";
import { completePath, pathsFromSample } from "./path-completion";

const paths = [
  "input",
  "inputs",
  "inputs.csv",
  "inputs.count",
  "nodes",
  "nodes.fetch",
  "nodes.fetch.body",
  "nodes.fetch.body.id",
  "nodes.fetch.status",
  "nodes.format",
  "item",
  "index",
];

describe("completePath", () => {
  it.each([
    ["return ", 7, ["input", "inputs", "nodes", "item", "index"]],
    ["return in", 7, ["input", "inputs", "index"]],
    ["return inputs.", 14, ["csv", "count"]],
    ["return inputs.c", 14, ["csv", "count"]],
    ["const x = nodes.f", 16, ["fetch", "format"]],
    ["nodes.fetch.", 12, ["body", "status"]],
    ["nodes.fetch.body.", 17, ["id"]],
    ["$sum(nodes.fetch.body.i", 22, ["id"]],
  ])("%j completes from %i with %j", (before, from, labels) => {
    const found = completePath(paths, before);
    expect(found?.from).toBe(from);
    expect(found?.options.map((o) => o.label)).toEqual(labels);
  });

  it("gives the full path as detail", () => {
    expect(completePath(paths, "nodes.fetch.st")?.options).toEqual([
      { label: "status", detail: "nodes.fetch.status" },
    ]);
  });

  it.each([["nodes.missing."], ["inputs.zzz"], ["x = 1.5"], ["return 42"]])("%j offers nothing", (before) => {
    expect(completePath(paths, before)).toBeNull();
  });
});

describe("pathsFromSample", () => {
  it("lists identifier keys, looking into arrays through their first element", () => {
    const sample = {
      input: { id: 1 },
      inputs: { csv: "a,b" },
      nodes: { fetch: { status: 200, body: { items: [{ sku: "x", "odd-key": 1 }] } } },
    };
    expect(pathsFromSample(sample)).toEqual([
      "input",
      "input.id",
      "inputs",
      "inputs.csv",
      "nodes",
      "nodes.fetch",
      "nodes.fetch.status",
      "nodes.fetch.body",
      "nodes.fetch.body.items",
      "nodes.fetch.body.items.sku",
    ]);
  });

  it("stops at maxDepth and max", () => {
    const deep = { a: { b: { c: { d: { e: 1 } } } } };
    expect(pathsFromSample(deep, 2)).toEqual(["a", "a.b"]);
    expect(pathsFromSample({ a: 1, b: 2, c: 3 }, 4, 2)).toEqual(["a", "b"]);
  });
});
