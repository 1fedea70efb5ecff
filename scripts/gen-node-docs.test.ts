import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nodeModules } from "@/lib/nodes/registry";
import { NODE_DOCS_PATH, renderNodeDocs } from "./gen-node-docs";

describe("docs/nodes.md", () => {
  it("is what scripts/gen-node-docs.ts generates from lib/nodes (run it after changing a node type)", () => {
    expect(readFileSync(NODE_DOCS_PATH, "utf8")).toBe(renderNodeDocs());
  });

  it("has a section for every node type, with its config keys", () => {
    const text = renderNodeDocs();
    for (const m of nodeModules) expect(text).toContain(`## ${m.label} (\`${m.type}\`)`);
    expect(text).toMatch(/\| `url` +\| string \(1–8000 characters\) +\| yes +\|/);
  });
});
