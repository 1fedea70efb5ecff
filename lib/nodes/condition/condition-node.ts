import { z } from "zod";
import { evaluateExpression } from "@/lib/engine/expressions";
import { isTruthy } from "@/lib/engine/truthy";
import { clip, defineNodeType, expressionString, summaryText } from "../define";

export const ConditionConfig = z.strictObject({ expression: expressionString });
export type ConditionConfig = z.infer<typeof ConditionConfig>;

/** `condition`: routes its input, unchanged, to the `true` or `false` handle. */
export const conditionNode = defineNodeType({
  type: "condition",
  label: "Condition",
  description: "Routes its input to the true or false handle.",
  glyph: "◇",
  color: "#d97706",
  config: ConditionConfig,
  handles: ["true", "false"],
  defaults: { expression: "true" },
  fields: [{ key: "expression", kind: "expression", required: true }],
  summary: (c) => clip(summaryText(c.expression)),
  estimate: { typicalMs: 1 },
  sideEffects: false,
  routesByHandle: true,
  async execute(ctx) {
    const { node } = ctx;
    const value = await evaluateExpression(node.config.expression, ctx.scope, {
      nodeType: node.type,
      nodeId: node.id,
      field: "config.expression",
    });
    return { output: ctx.input, handle: isTruthy(value) ? "true" : "false" };
  },
});
