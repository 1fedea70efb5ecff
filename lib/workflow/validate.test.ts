import { describe, expect, it } from "vitest";
import { WorkflowDefinition } from "./schema";
import { validateWorkflow } from "./validate";

type Def = Record<string, unknown> & {
  nodes: Array<Record<string, unknown>>;
  edges: Array<Record<string, unknown>>;
};

const valid = (): Def => ({
  version: 1,
  name: "Fan-out summary",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    {
      id: "fetch",
      type: "http",
      name: "Fetch article",
      position: { x: 240, y: 80 },
      config: { method: "GET", url: "{{ inputs.url }}" },
      retry: { maxAttempts: 3, backoffMs: 200, backoffFactor: 2 },
      timeoutMs: 10000,
      onError: "branch",
    },
    { id: "check", type: "condition", config: { expression: "input.status = 200" } },
    { id: "notify", type: "email", config: { to: "a@example.com", subject: "hi", text: "{{ input }}" } },
    { id: "out", type: "output", config: {} },
  ],
  edges: [
    { id: "e1", source: "start", target: "fetch" },
    { source: "fetch", target: "check" },
    { source: "fetch", sourceHandle: "error", target: "out" },
    { source: "check", sourceHandle: "true", target: "notify" },
  ],
  settings: { maxConcurrency: 16, timeoutMs: 600000, mode: "auto" },
});

/** Applies a mutation to a fresh valid definition. */
function mutate(fn: (d: Def) => void): Def {
  const d = valid();
  fn(d);
  return d;
}

const node = (d: Def, i: number) =>
  d.nodes[i] as Record<string, unknown> & { config: Record<string, unknown> };

const invalidCases: Array<[string, unknown, string, string]> = [
  ["not an object", "hello", "", "invalid_type"],
  ["wrong version", mutate((d) => (d.version = 2)), "version", "invalid_value"],
  ["missing name", mutate((d) => delete d.name), "name", "invalid_type"],
  ["empty name", mutate((d) => (d.name = "  ")), "name", "too_small"],
  ["name too long", mutate((d) => (d.name = "x".repeat(201))), "name", "too_big"],
  ["unknown top-level key", mutate((d) => (d.extra = 1)), "extra", "unrecognized_keys"],
  ["nodes not an array", mutate((d) => (d.nodes = {} as never)), "nodes", "invalid_type"],
  ["no nodes", mutate((d) => (d.nodes = [])), "nodes", "too_small"],
  [
    "too many nodes",
    mutate((d) => {
      d.nodes = Array.from({ length: 2001 }, (_, i) => ({ id: `n${i}`, type: "trigger", config: {} }));
      d.edges = [];
    }),
    "nodes",
    "too_big",
  ],
  ["unknown node type", mutate((d) => (node(d, 3).type = "teleport")), "nodes[3].type", "unknown_node_type"],
  ["malformed id (digit first)", mutate((d) => (node(d, 4).id = "1out")), "nodes[4].id", "invalid_format"],
  ["malformed id (dash)", mutate((d) => (node(d, 4).id = "my-out")), "nodes[4].id", "invalid_format"],
  ["id too long", mutate((d) => (node(d, 4).id = `a${"b".repeat(64)}`)), "nodes[4].id", "invalid_format"],
  [
    "missing config",
    mutate((d) => delete (node(d, 1) as Record<string, unknown>).config),
    "nodes[1].config",
    "invalid_type",
  ],
  ["http without url", mutate((d) => delete node(d, 1).config.url), "nodes[1].config.url", "invalid_type"],
  ["http empty url", mutate((d) => (node(d, 1).config.url = "")), "nodes[1].config.url", "too_small"],
  [
    "http bad method",
    mutate((d) => (node(d, 1).config.method = "FETCH")),
    "nodes[1].config.method",
    "invalid_value",
  ],
  [
    "http headers not strings",
    mutate((d) => (node(d, 1).config.headers = { a: 1 })),
    "nodes[1].config.headers.a",
    "invalid_type",
  ],
  [
    "http timeout negative",
    mutate((d) => (node(d, 1).config.timeoutMs = -5)),
    "nodes[1].config.timeoutMs",
    "too_small",
  ],
  [
    "unknown config key",
    mutate((d) => (node(d, 1).config.uri = "x")),
    "nodes[1].config.uri",
    "unrecognized_keys",
  ],
  [
    "condition without expression",
    mutate((d) => (node(d, 2).config = {})),
    "nodes[2].config.expression",
    "invalid_type",
  ],
  ["email without to", mutate((d) => delete node(d, 3).config.to), "nodes[3].config.to", "invalid_union"],
  [
    "retry attempts zero",
    mutate((d) => (node(d, 1).retry = { maxAttempts: 0 })),
    "nodes[1].retry.maxAttempts",
    "too_small",
  ],
  [
    "retry factor below 1",
    mutate((d) => (node(d, 1).retry = { maxAttempts: 2, backoffFactor: 0.5 })),
    "nodes[1].retry.backoffFactor",
    "too_small",
  ],
  ["bad onError", mutate((d) => (node(d, 1).onError = "ignore")), "nodes[1].onError", "invalid_value"],
  ["non-integer timeout", mutate((d) => (node(d, 1).timeoutMs = 1.5)), "nodes[1].timeoutMs", "invalid_type"],
  [
    "position not numbers",
    mutate((d) => (node(d, 1).position = { x: "1", y: 2 })),
    "nodes[1].position.x",
    "invalid_type",
  ],
  ["duplicate node id", mutate((d) => (node(d, 4).id = "fetch")), "nodes[4].id", "duplicate_id"],
  [
    "no trigger",
    mutate((d) => {
      d.nodes = d.nodes.filter((n) => n.type !== "trigger");
      d.edges = d.edges.filter((e) => e.source !== "start");
    }),
    "nodes",
    "no_trigger",
  ],
  [
    "edge to missing node",
    mutate((d) => d.edges.push({ source: "check", sourceHandle: "false", target: "ghost" })),
    "edges[4].target",
    "unknown_node",
  ],
  [
    "edge from missing node",
    mutate((d) => d.edges.push({ source: "ghost", target: "out" })),
    "edges[4].source",
    "unknown_node",
  ],
  [
    "condition edge without handle",
    mutate((d) => (d.edges[3] = { source: "check", target: "notify" })),
    "edges[3].sourceHandle",
    "unknown_handle",
  ],
  [
    "handle the type lacks",
    mutate((d) => (d.edges[1] = { source: "fetch", sourceHandle: "true", target: "check" })),
    "edges[1].sourceHandle",
    "unknown_handle",
  ],
  [
    "error handle without branch",
    mutate((d) => (node(d, 1).onError = "continue")),
    "edges[2].sourceHandle",
    "unknown_handle",
  ],
  [
    "edge out of an output node",
    mutate((d) => d.edges.push({ source: "out", target: "notify" })),
    "edges[4].sourceHandle",
    "unknown_handle",
  ],
  [
    "edge into a trigger",
    mutate((d) => d.edges.push({ source: "notify", target: "start" })),
    "edges[4].target",
    "trigger_input",
  ],
  ["duplicate edge id", mutate((d) => (d.edges[1]!.id = "e1")), "edges[1].id", "duplicate_id"],
  [
    "same connection twice",
    mutate((d) => d.edges.push({ source: "start", target: "fetch" })),
    "edges[4]",
    "duplicate_edge",
  ],
  ["self loop", mutate((d) => d.edges.push({ source: "notify", target: "notify" })), "edges[4]", "cycle"],
  [
    "cycle of three",
    mutate((d) => {
      d.nodes.push({ id: "a", type: "transform", config: { expression: "1" } });
      d.nodes.push({ id: "b", type: "transform", config: { expression: "1" } });
      d.edges.push(
        { source: "notify", target: "a" },
        { source: "a", target: "b" },
        { source: "b", target: "notify" },
      );
    }),
    "edges[6]",
    "cycle",
  ],
  [
    "edge missing target",
    mutate((d) => d.edges.push({ source: "start" })),
    "edges[4].target",
    "invalid_type",
  ],
  [
    "settings concurrency zero",
    mutate((d) => (d.settings = { maxConcurrency: 0 })),
    "settings.maxConcurrency",
    "too_small",
  ],
  ["settings bad mode", mutate((d) => (d.settings = { mode: "later" })), "settings.mode", "invalid_value"],
  [
    "delay negative",
    mutate((d) => d.nodes.push({ id: "d", type: "delay", config: { ms: -1 } })),
    "nodes[5].config.ms",
    "too_small",
  ],
  [
    "merge bad mode",
    mutate((d) => d.nodes.push({ id: "m", type: "merge", config: { mode: "zip" } })),
    "nodes[5].config.mode",
    "invalid_value",
  ],
  [
    "llm temperature too high",
    mutate((d) =>
      d.nodes.push({ id: "l", type: "llm", config: { model: "m", prompt: "p", temperature: 3 } }),
    ),
    "nodes[5].config.temperature",
    "too_big",
  ],
  [
    "filter without where",
    mutate((d) => d.nodes.push({ id: "f", type: "filter", config: { items: "input" } })),
    "nodes[5].config.where",
    "invalid_type",
  ],
];

describe("validateWorkflow rejects malformed definitions with the offending path", () => {
  it("has at least 30 cases", () => {
    expect(invalidCases.length).toBeGreaterThanOrEqual(30);
  });
  it.each(invalidCases)("%s", (_name, input, path, code) => {
    const result = validateWorkflow(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual(expect.objectContaining({ path, code }));
    for (const issue of result.issues) expect(issue.message.length).toBeGreaterThan(0);
  });
});

const validCases: Array<[string, Def]> = [
  ["the SPEC example", valid()],
  ["a lone trigger", { version: 1, name: "t", nodes: [{ id: "t", type: "trigger", config: {} }], edges: [] }],
  [
    "every node type",
    {
      version: 1,
      name: "all",
      nodes: [
        { id: "t", type: "trigger", config: {} },
        {
          id: "h",
          type: "http",
          config: {
            method: "POST",
            url: "https://x.test",
            headers: { a: "b" },
            query: { q: "1" },
            body: { k: [1, 2] },
            timeoutMs: 500,
          },
        },
        {
          id: "l",
          type: "llm",
          config: {
            model: "gpt",
            prompt: "hi",
            system: "s",
            temperature: 0.2,
            maxTokens: 10,
            json: true,
            cache: false,
            cacheTtlSeconds: 60,
          },
        },
        { id: "c", type: "condition", config: { expression: "true" } },
        { id: "f", type: "filter", config: { items: "input", where: "$item > 1" } },
        { id: "x", type: "transform", config: { expression: "input" } },
        { id: "m", type: "merge", config: { mode: "array" } },
        { id: "d", type: "delay", config: { ms: 0 } },
        { id: "e", type: "email", config: { to: ["a@b.c"], subject: "s", text: "t", html: "<b>t</b>" } },
        { id: "o", type: "output", config: { value: "input" } },
      ],
      edges: [
        { source: "t", target: "h" },
        { source: "h", target: "l" },
        { source: "l", target: "c" },
        { source: "c", sourceHandle: "true", target: "f" },
        { source: "c", sourceHandle: "false", target: "x" },
        { source: "f", target: "m" },
        { source: "x", target: "m" },
        { source: "m", target: "d" },
        { source: "d", target: "e" },
        { source: "e", target: "o" },
      ],
    },
  ],
  [
    "two triggers",
    {
      version: 1,
      name: "two",
      nodes: [
        { id: "a", type: "trigger", config: {} },
        { id: "b", type: "trigger", config: {} },
        { id: "o", type: "output", config: {} },
      ],
      edges: [
        { source: "a", target: "o" },
        { source: "b", target: "o", sourceHandle: "out", targetHandle: null },
      ],
    },
  ],
];

describe("valid definitions round-trip unchanged", () => {
  it.each(validCases)("%s", (_name, def) => {
    const result = validateWorkflow(def);
    expect(result.ok ? [] : result.issues).toEqual([]);
    if (!result.ok) return;
    expect(result.definition).toEqual(def);
    expect(JSON.parse(JSON.stringify(result.definition))).toEqual(def);
    expect(WorkflowDefinition.parse(JSON.parse(JSON.stringify(def)))).toEqual(def);
  });
});
