import type { Executor } from "../executor";
import { evaluateExpression } from "../expressions";

/** JSONata-style truthiness: nothing, false, 0, "", NaN, [] and {} are false. */
export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0) return false;
  if (typeof value === "number") return !Number.isNaN(value);
  if (Array.isArray(value)) return value.some(isTruthy);
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** `condition`: routes its input, unchanged, to the `true` or `false` handle. */
export const conditionExecutor: Executor<"condition"> = async (ctx) => {
  const { node } = ctx;
  const value = await evaluateExpression(node.config.expression, ctx.scope, {
    nodeType: node.type,
    nodeId: node.id,
    field: "config.expression",
  });
  return { output: ctx.input, handle: isTruthy(value) ? "true" : "false" };
};
