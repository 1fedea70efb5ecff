import { z } from "zod";
import { evaluateExpression } from "@/lib/engine/expressions";
import { clip, defineNodeType, expressionString, summaryText } from "../define";

export const OutputConfig = z.strictObject({ value: expressionString.optional() });
export type OutputConfig = z.infer<typeof OutputConfig>;

/** `output`: the value of `value` (default: its input); it becomes the run's `outputs[nodeId]`. */
export const outputNode = defineNodeType({
  type: "output",
  label: "Output",
  description: "Names a result of the run.",
  glyph: "■",
  color: "#111827",
  config: OutputConfig,
  handles: [],
  defaults: {},
  fields: [{ key: "value", kind: "expression", help: "Default: its input." }],
  summary: (c) => clip(summaryText(c.value) || "its input"),
  estimate: { typicalMs: 1 },
  sideEffects: false,
  collectsOutput: true,
  async execute(ctx) {
    const { node } = ctx;
    if (node.config.value === undefined) return { output: ctx.input };
    const output = await evaluateExpression(node.config.value, ctx.scope, {
      nodeType: node.type,
      nodeId: node.id,
      field: "config.value",
    });
    return { output };
  },
});
