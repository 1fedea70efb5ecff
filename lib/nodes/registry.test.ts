import { describe, expect, it } from "vitest";
import { z } from "zod";
import { NODE_TYPES, nodeModules, nodeTypes } from "./registry";

const rows = nodeModules.map((m) => [m.type, m] as const);

describe("every node-type module", () => {
  it("has a unique type name", () => {
    expect(new Set(NODE_TYPES).size).toBe(NODE_TYPES.length);
    for (const type of NODE_TYPES) expect(nodeTypes[type].type).toBe(type);
  });

  it.each(rows)("%s: defaults parse with its config schema", (_, m) => {
    const parsed = (m.config as z.ZodType).safeParse(m.defaults);
    expect(parsed.success, parsed.success ? "" : z.prettifyError(parsed.error)).toBe(true);
  });

  it.each(rows)("%s: has a label, description, glyph and color", (_, m) => {
    expect(m.label.trim()).not.toBe("");
    expect(m.description.trim()).not.toBe("");
    expect([...m.glyph]).toHaveLength(1);
    expect(m.color).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it.each(rows)("%s: declares a field (or an own panel) for every config key, and no other", (_, m) => {
    const shape = Object.keys((m.config as z.ZodObject).shape).sort();
    const declared = [...m.fields.map((f) => f.key), ...(m.ownPanels ?? [])].sort();
    expect(declared).toEqual(shape);
    for (const f of m.fields) {
      if (f.kind === "select") expect(f.options?.length ?? 0).toBeGreaterThan(0);
    }
  });

  it.each(rows)("%s: summarizes its defaults and an empty config without throwing", (_, m) => {
    expect(typeof m.summary(m.defaults as never)).toBe("string");
    expect(typeof m.summary({})).toBe("string");
  });

  it.each(rows)("%s: has a typical duration and declares its side effects", (_, m) => {
    const ms =
      typeof m.estimate.typicalMs === "function"
        ? m.estimate.typicalMs(m.defaults as never)
        : m.estimate.typicalMs;
    expect(Number.isFinite(ms) && ms >= 0).toBe(true);
    expect(typeof m.sideEffects).toBe("boolean");
  });

  it("lists the handles SPEC §1 gives each type", () => {
    const handles = Object.fromEntries(nodeModules.map((m) => [m.type, [...m.handles]]));
    expect(handles).toMatchObject({ trigger: ["out"], condition: ["true", "false"], output: [] });
  });

  it("keeps the side-effecting types durable before their successors start", () => {
    const effects = nodeModules.filter((m) => m.sideEffects).map((m) => m.type);
    expect(effects.sort()).toEqual(["email", "http", "llm", "wait"]);
  });
});
