import type { Executor } from "../executor";

/** `delay`: waits `ms` on the clock (abortable, no busy wait), then passes its input on. */
export const delayExecutor: Executor<"delay"> = async (ctx) => {
  await ctx.clock.sleep(ctx.node.config.ms, ctx.signal);
  return { output: ctx.input };
};
