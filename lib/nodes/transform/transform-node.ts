import { z } from "zod";
import { evaluateExpression } from "@/lib/engine/expressions";
import { clip, defineNodeType, expressionString, summaryText } from "../define";

export const TransformConfig = z.strictObject({ expression: expressionString });
export type TransformConfig = z.infer<typeof TransformConfig>;

/** `transform`: outputs the expression's value. */
export const transformNode = defineNodeType({
  type: "transform",
  label: "Transform",
  description: "Computes a new value with a JSONata expression.",
  glyph: "ƒ",
  color: "#2563eb",
  config: TransformConfig,
  handles: ["out"],
  defaults: { expression: "input" },
  fields: [{ key: "expression", kind: "expression", required: true }],
  summary: (c) => clip(summaryText(c.expression)),
  estimate: { typicalMs: 1 },
  sideEffects: false,
  async execute(ctx) {
    const { node } = ctx;
    const output = await evaluateExpression(node.config.expression, ctx.scope, {
      nodeType: node.type,
      nodeId: node.id,
      field: "config.expression",
    });
    return { output };
  },
});
