import { describe, expect, it } from "vitest";
import { parseWorkflowJson } from "./import-export";

type Def = {
  version: number;
  name?: unknown;
  nodes: Array<Record<string, unknown> & { config?: Record<string, unknown> }>;
  edges: Array<Record<string, unknown>>;
};

const valid = (): Def => ({
  version: 1,
  name: "Import me",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "fetch", type: "http", config: { method: "GET", url: "{{ inputs.url }}" } },
    { id: "out", type: "output", config: {} },
  ],
  edges: [
    { source: "start", target: "fetch" },
    { source: "fetch", target: "out" },
  ],
});

const mutate = (fn: (d: Def) => void): Def => {
  const d = valid();
  fn(d);
  return d;
};
const fetchConfig = (d: Def) => d.nodes[1]?.config as Record<string, unknown>;

describe("import errors said as a person would, pointing at the node", () => {
  it.each<[string, Def, string, string]>([
    [
      "a missing URL",
      mutate((d) => delete fetchConfig(d).url),
      "nodes[1].config.url",
      'Node "fetch" (HTTP request): the URL is missing',
    ],
    [
      "a number field given a string",
      mutate((d) => (fetchConfig(d).timeoutMs = "5")),
      "nodes[1].config.timeoutMs",
      'Node "fetch" (HTTP request): the timeout ms must be a number, not string',
    ],
    [
      "an unknown node type",
      mutate((d) => d.nodes.push({ id: "weird", type: "teleport", config: {} })),
      "nodes[3].type",
      'Node "weird": "teleport" is not a node type',
    ],
    [
      "an unknown config key",
      mutate((d) => (fetchConfig(d).colour = "red")),
      "nodes[1].config.colour",
      'Node "fetch" (HTTP request): "colour" is not a known setting',
    ],
    ["a missing name", mutate((d) => delete d.name), "name", "The name is missing"],
    [
      "an edge to a node that does not exist",
      mutate((d) => d.edges.push({ source: "fetch", target: "ghost" })),
      "edges[2].target",
      "Edge 3 (fetch → ghost): ",
    ],
  ])("%s", (_, def, path, message) => {
    const result = parseWorkflowJson(JSON.stringify(def));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(result.issues)).toBeDefined();
    if (message.endsWith(": ")) expect(issue?.message.startsWith(message), issue?.message).toBe(true);
    else expect(issue?.message).toBe(message);
    expect(issue?.message).not.toMatch(/Invalid input|received undefined/);
  });

  it("accepts a valid definition, bare or as a GET /api/workflows/:id body", () => {
    expect(parseWorkflowJson(JSON.stringify(valid())).ok).toBe(true);
    expect(parseWorkflowJson(JSON.stringify({ id: "w", definition: valid() })).ok).toBe(true);
  });
});
