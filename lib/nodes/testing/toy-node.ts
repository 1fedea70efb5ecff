import { z } from "zod";
import { renderTemplates, stringifyValue } from "@/lib/engine/expressions";
import { clip, defineNodeType, summaryText, templateString } from "../define";

/**
 * A toy node type, as a new contributor would write one: it shouts its text. Used by
 * `toy-type.test.ts` to prove that one module plus one line in the list puts a type on the
 * palette, in the config panel, in the schema and in the engine.
 */
export const toyNode = defineNodeType({
  type: "shout",
  label: "Shout",
  description: "Upper-cases a text.",
  glyph: "!",
  color: "#e11d48",
  config: z.strictObject({ text: templateString.min(1, "text is required") }),
  handles: ["out"],
  defaults: { text: "{{ input }}" },
  fields: [{ key: "text", kind: "template", required: true }],
  summary: (c) => clip(summaryText(c.text)),
  estimate: { typicalMs: 1 },
  sideEffects: false,
  async execute(ctx) {
    const site = { nodeType: ctx.node.type, nodeId: ctx.node.id, field: "config.text" };
    return {
      output: stringifyValue(await renderTemplates(ctx.node.config.text, ctx.scope, site)).toUpperCase(),
    };
  },
});
