import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { JsonView } from "./json-view";

const render = (value: unknown, openDepth?: number) =>
  renderToStaticMarkup(createElement(JsonView, { value, openDepth }));

describe("JsonView", () => {
  it("renders each kind of value with its key", () => {
    const html = render({ s: "hi", n: 42, b: true, z: null, a: [], o: {} });
    for (const part of ["&quot;s&quot;: ", "&quot;hi&quot;", ">42<", ">true<", ">null<", ">[]<", ">{}<"]) {
      expect(html).toContain(part);
    }
  });

  it("escapes markup inside strings and keys", () => {
    const html = render({ "<b>key</b>": "<script>alert(1)</script>" });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>key");
    expect(html).toContain("&lt;script&gt;");
  });

  it("opens objects down to openDepth and leaves deeper ones closed", () => {
    const html = render({ a: { b: { c: 1 } } }, 1);
    expect(html.match(/<details open="">/g)?.length).toBe(1);
    expect(html.match(/<details>/g)?.length).toBe(2);
  });

  it("caps long arrays and strings", () => {
    const html = render({ list: Array.from({ length: 250 }, (_, i) => i), text: "x".repeat(6000) });
    expect(html).toContain("… 50 more not shown");
    expect(html).toContain("… (1000 more characters)");
    expect(html).not.toContain(">249<");
  });
});
