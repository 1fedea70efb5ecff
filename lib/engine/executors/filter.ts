import { EngineError } from "../errors";
import type { Executor } from "../executor";
import { evaluateExpression } from "../expressions";
import { isTruthy } from "./condition";

/** `filter`: keeps the items of `items` for which `where` holds (`$item`, `$index` bound). */
export const filterExecutor: Executor<"filter"> = async (ctx) => {
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
};
