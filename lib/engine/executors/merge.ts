import type { Executor } from "../executor";

/** `merge`: its live inputs as one object keyed by source id, or one array in incoming edge order. */
export const mergeExecutor: Executor<"merge"> = async (ctx) => {
  if (ctx.node.config.mode === "array") return { output: ctx.inputsBySource.map(([, value]) => value) };
  return { output: Object.fromEntries(ctx.inputsBySource) };
};
