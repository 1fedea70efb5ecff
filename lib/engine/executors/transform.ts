import type { Executor } from "../executor";
import { evaluateExpression } from "../expressions";

/** `transform`: outputs the expression's value. */
export const transformExecutor: Executor<"transform"> = async (ctx) => {
  const { node } = ctx;
  const output = await evaluateExpression(node.config.expression, ctx.scope, {
    nodeType: node.type,
    nodeId: node.id,
    field: "config.expression",
  });
  return { output };
};
