import { z } from "zod";
import { EngineError } from "@/lib/engine/errors";
import { evaluateExpression } from "@/lib/engine/expressions";
import { isTruthy } from "@/lib/engine/truthy";
import { clip, defineNodeType, expressionString, summaryText } from "../define";

export const FilterConfig = z.strictObject({ items: expressionString, where: expressionString });
export type FilterConfig = z.infer<typeof FilterConfig>;

/** `filter`: keeps the items of `items` for which `where` holds (`$item`, `$index` bound). */
export const filterNode = defineNodeType({
  type: "filter",
  label: "Filter",
  description: "Keeps the items for which `where` holds ($item is the element).",
  glyph: "⊃",
  color: "#0d9488",
  config: FilterConfig,
  handles: ["out"],
  defaults: { items: "input.items", where: "$item != null" },
  fields: [
    { key: "items", kind: "expression", required: true, help: "Gives the array to filter." },
    { key: "where", kind: "expression", required: true, help: "$item is the element, $index its position." },
  ],
  summary: (c) => clip(`${summaryText(c.items)} where ${summaryText(c.where)}`),
  estimate: { typicalMs: 2 },
  sideEffects: false,
  async execute(ctx) {
    const { node } = ctx;
    const site = { nodeType: node.type, nodeId: node.id, field: "config.items" };
    const value = await evaluateExpression(node.config.items, ctx.scope, site);
    if (value !== undefined && value !== null && !Array.isArray(value)) {
      throw new EngineError(
        "expression",
        `filter "${node.id}" config.items must give an array, got ${typeof value === "object" ? "an object" : typeof value}`,
      );
    }
    const items = value ?? [];
    const whereSite = { ...site, field: "config.where" };
    const kept: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const item = items[i];
      if (isTruthy(await evaluateExpression(node.config.where, ctx.scope, whereSite, { item, index: i }))) {
        kept.push(item);
      }
    }
    return { output: { items: kept, count: kept.length } };
  },
});
