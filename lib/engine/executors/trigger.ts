import type { Executor } from "../executor";

/** `trigger`: outputs the run's inputs. */
export const triggerExecutor: Executor<"trigger"> = async (ctx) => ({ output: ctx.scope.inputs });
