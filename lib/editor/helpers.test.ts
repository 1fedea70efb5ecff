import { describe, expect, it } from "vitest";
import { configFieldsOf } from "./config-fields";
import { createFlowNodeMapper, toFlowEdges } from "./flow";
import { uniqueNodeId } from "./ids";
import { expressionScope, groupIssues } from "./issues";
import type { EditorDefinition } from "./types";

const def: EditorDefinition = {
  version: 1,
  name: "T",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "fetch", type: "http", config: { method: "GET", url: "" } },
    { id: "gate", type: "condition", config: { expression: "true" } },
    { id: "out", type: "output", config: {} },
  ],
  edges: [
    { source: "start", target: "fetch" },
    { source: "fetch", target: "gate" },
    { source: "gate", sourceHandle: "true", target: "out" },
  ],
};

describe("config fields", () => {
  it.each([
    [
      "http",
      {
        method: "select",
        url: "template",
        headers: "json",
        query: "json",
        body: "json",
        timeoutMs: "number",
      },
    ],
    ["llm", { prompt: "textarea", json: "checkbox", temperature: "number", cache: "checkbox" }],
    ["filter", { items: "expression", where: "expression" }],
    ["email", { to: "list", text: "textarea" }],
    ["merge", { mode: "select" }],
    ["output", { value: "expression" }],
  ] as const)("declares %s's fields", (type, kinds) => {
    const fields = Object.fromEntries(configFieldsOf(type).map((f) => [f.key, f.kind]));
    expect(fields).toMatchObject(kinds);
  });

  it("marks required fields and keeps enum options and bounds", () => {
    const [method, url] = configFieldsOf("http");
    expect(method).toMatchObject({
      key: "method",
      required: true,
      options: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    });
    expect(url?.required).toBe(true);
    expect(configFieldsOf("delay")[0]).toMatchObject({ key: "ms", integer: true, min: 0, max: 86_400_000 });
    expect(configFieldsOf("trigger")).toEqual([]);
  });
});

describe("issues and expression scope", () => {
  it("maps issue paths to node fields", () => {
    const grouped = groupIssues(def, [
      { path: "nodes[1].config.url", code: "too_small", message: "url is required" },
      { path: "nodes[2].retry.maxAttempts", code: "too_small", message: "too small" },
      { path: "edges[0].target", code: "unknown_node", message: "no node" },
    ]);
    expect(grouped.byNode).toEqual({
      fetch: { "config.url": "url is required" },
      gate: { "retry.maxAttempts": "too small" },
    });
    expect(grouped.general).toHaveLength(1);
  });

  it("lists upstream nodes only", () => {
    expect(expressionScope(def, "out")).toEqual({
      roots: ["inputs", "input"],
      upstream: ["nodes.start", "nodes.fetch", "nodes.gate"],
    });
    expect(expressionScope(def, "fetch").upstream).toEqual(["nodes.start"]);
  });
});

describe("ids", () => {
  it.each([
    [[], "http", "http"],
    [["http"], "http", "http_2"],
    [["http", "http_2"], "http_2", "http_3"],
    [[], "9lives", "n_9lives"],
    [[], "a-b", "a_b"],
  ])("taken %j, base %s → %s", (taken, baseId, expected) => {
    expect(uniqueNodeId(new Set(taken), baseId)).toBe(expected);
  });

  it("stays within 64 characters", () => {
    const long = "x".repeat(64);
    const id = uniqueNodeId(new Set([long]), long);
    expect(id).toHaveLength(64);
    expect(id.endsWith("_2")).toBe(true);
  });
});

describe("flow mapping", () => {
  it("reuses node objects that did not change", () => {
    const map = createFlowNodeMapper();
    const first = map(def, new Set(), {});
    const moved = {
      ...def,
      nodes: def.nodes.map((n) => (n.id === "gate" ? { ...n, position: { x: 5, y: 5 } } : n)),
    };
    const second = map(moved, new Set(["out"]), {});
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[2]).not.toBe(first[2]);
    expect(second[2]?.position).toEqual({ x: 5, y: 5 });
    expect(second[3]?.selected).toBe(true);
  });

  it("resolves edge handles", () => {
    expect(toFlowEdges(def, new Set()).map((e) => e.sourceHandle)).toEqual(["out", "out", "true"]);
  });
});
