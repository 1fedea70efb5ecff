import { describe, expect, it } from "vitest";
import { type ExpressionScope, evaluateExpression, renderTemplate, renderTemplates } from "./expressions";

const scope: ExpressionScope = {
  inputs: { name: "Ada", n: 3, tags: ["x", "y"] },
  nodes: { fetch: { status: 200, body: { items: [1, 2, 3] } } },
  input: { id: 7, user: { name: "Grace" } },
  secrets: { token: "s3cr3t-value" },
};
const site = { nodeType: "transform", nodeId: "t1", field: "config.expression" };

describe("evaluateExpression", () => {
  it.each([
    ["inputs.name", "Ada"],
    ["inputs.n * 2", 6],
    ["nodes.fetch.body.items", [1, 2, 3]],
    ["$sum(nodes.fetch.body.items)", 6],
    ["input.user.name", "Grace"],
    ["inputs.tags[0]", "x"],
    ['{"a": inputs.n, "b": [1, 2]}', { a: 3, b: [1, 2] }],
    ["nodes.fetch.body.items[$ > 1]", [2, 3]],
    ["secrets.token", "s3cr3t-value"],
    ["inputs.missing", undefined],
  ])("%s", async (expr, expected) => {
    expect(await evaluateExpression(expr, scope, site)).toEqual(expected);
  });

  it("returns plain arrays, not JSONata sequences", async () => {
    const value = await evaluateExpression("nodes.fetch.body.items.($ * 10)", scope, site);
    expect(Array.isArray(value)).toBe(true);
    expect(Object.keys(value as object)).toEqual(["0", "1", "2"]);
  });

  it.each([
    ["foo(", /transform "t1" config.expression "foo\(": /],
    ["$notAFunction(1)", /transform "t1" config.expression "\$notAFunction\(1\)": .*function/i],
    ['$eval("1 + 1")', /\$eval is not available/],
  ])("%s fails with an error naming node, field and expression", async (expr, pattern) => {
    await expect(evaluateExpression(expr, scope, site)).rejects.toThrow(pattern);
  });

  it("cannot reach the host through prototypes", async () => {
    expect(await evaluateExpression("inputs.constructor", scope, site)).toBeUndefined();
    expect(await evaluateExpression("input.__proto__", scope, site)).toBeUndefined();
    expect(await evaluateExpression("$lookup(inputs, 'constructor')", scope, site)).toBeUndefined();
    expect(await evaluateExpression("process", scope, site)).toBeUndefined();
    expect(await evaluateExpression("$process.exit(1)", scope, site)).toBeUndefined();
    expect(
      await evaluateExpression("inputs.constructor.constructor('return process')()", scope, site),
    ).toBeUndefined();
    await expect(evaluateExpression("$require('fs')", scope, site)).rejects.toThrow(/transform "t1"/);
  });

  it("bounds evaluation: infinite recursion and endless loops stop with an error", async () => {
    await expect(
      evaluateExpression("($f := function($x){ $f($x + 1) }; $f(0))", scope, site),
    ).rejects.toThrow(/transform "t1".*(timeout|stack|depth|recursi)/i);
    await expect(
      evaluateExpression("($f := function($x){ $x > 1e12 ? $x : $f($x + 1) }; $f(0))", scope, site),
    ).rejects.toThrow(/transform "t1"/);
  });
});

describe("templates", () => {
  const tsite = { nodeType: "http", nodeId: "h1", field: "config.url" };
  it.each([
    ["no template", "plain text", "plain text"],
    ["exactly one template: raw number", "{{ inputs.n }}", 3],
    ["exactly one template: raw object", " {{ input.user }} ", { name: "Grace" }],
    ["exactly one template: raw array", "{{ inputs.tags }}", ["x", "y"]],
    ["embedded number", "n={{ inputs.n }}", "n=3"],
    ["embedded object as JSON", "u={{ input.user }}", 'u={"name":"Grace"}'],
    ["embedded nothing as empty", "[{{ inputs.nothing }}]", "[]"],
    ["two templates", "{{ inputs.name }} & {{ input.user.name }}", "Ada & Grace"],
    ["nested braces inside a template", '{{ {"a": {"b": inputs.n}} }}', { a: { b: 3 } }],
    ["braces inside a string literal", "{{ '}}' & inputs.name }}!", "}}Ada!"],
    ["an unclosed template is text", "x {{ inputs.n", "x {{ inputs.n"],
  ])("%s", async (_name, text, expected) => {
    expect(await renderTemplate(text, scope, tsite)).toEqual(expected);
  });

  it("renders every string deep in objects and arrays, leaving keys and other values alone", async () => {
    const rendered = await renderTemplates(
      {
        url: "https://x/{{ input.id }}",
        headers: { "{{ k }}": "Bearer {{ secrets.token }}" },
        list: ["{{ inputs.n }}", 5, true],
      },
      scope,
      { ...tsite, field: "config" },
    );
    expect(rendered).toEqual({
      url: "https://x/7",
      headers: { "{{ k }}": "Bearer s3cr3t-value" },
      list: [3, 5, true],
    });
  });

  it("names node, field path and expression when a template fails", async () => {
    await expect(
      renderTemplates({ headers: { a: "x {{ foo( }}" } }, scope, { ...tsite, field: "config" }),
    ).rejects.toThrow(/http "h1" config.headers.a "foo\(":/);
  });
});
