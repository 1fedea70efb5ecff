import { z } from "zod";
import { defineNodeType, summaryText } from "../define";

export const DelayConfig = z.strictObject({ ms: z.int().min(0).max(86_400_000) });
export type DelayConfig = z.infer<typeof DelayConfig>;

/** `delay`: waits `ms` on the clock (abortable, no busy wait), then passes its input on. */
export const delayNode = defineNodeType({
  type: "delay",
  label: "Delay",
  description: "Waits, then passes its input on.",
  glyph: "◷",
  color: "#64748b",
  config: DelayConfig,
  handles: ["out"],
  defaults: { ms: 1000 },
  fields: [
    {
      key: "ms",
      kind: "number",
      label: "Milliseconds",
      required: true,
      integer: true,
      min: 0,
      max: 86_400_000,
    },
  ],
  summary: (c) => `${summaryText(c.ms)} ms`,
  estimate: { typicalMs: (c) => c.ms, waitsOnClock: true },
  sideEffects: false,
  async execute(ctx) {
    await ctx.clock.sleep(ctx.node.config.ms, ctx.signal);
    return { output: ctx.input };
  },
});
