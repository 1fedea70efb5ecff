import type { Executor } from "../executor";
import { evaluateExpression } from "../expressions";

/** `output`: the value of `value` (default: its input); it becomes the run's `outputs[nodeId]`. */
export const outputExecutor: Executor<"output"> = async (ctx) => {
  const { node } = ctx;
  if (node.config.value === undefined) return { output: ctx.input };
  const output = await evaluateExpression(node.config.value, ctx.scope, {
    nodeType: node.type,
    nodeId: node.id,
    field: "config.value",
  });
  return { output };
};
