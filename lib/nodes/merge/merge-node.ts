import { z } from "zod";
import { defineNodeType, summaryText } from "../define";

export const MergeConfig = z.strictObject({ mode: z.enum(["object", "array"]).optional() });
export type MergeConfig = z.infer<typeof MergeConfig>;

/** `merge`: its live inputs as one object keyed by source id, or one array in incoming edge order. */
export const mergeNode = defineNodeType({
  type: "merge",
  label: "Merge",
  description: "Joins its inputs into one object (by node id) or one array.",
  glyph: "⋈",
  color: "#475569",
  config: MergeConfig,
  handles: ["out"],
  defaults: { mode: "object" },
  fields: [{ key: "mode", kind: "select", options: ["object", "array"] }],
  summary: (c) => `as ${summaryText(c.mode) || "object"}`,
  estimate: { typicalMs: 1 },
  sideEffects: false,
  async execute(ctx) {
    if (ctx.node.config.mode === "array") return { output: ctx.inputsBySource.map(([, value]) => value) };
    return { output: Object.fromEntries(ctx.inputsBySource) };
  },
});
