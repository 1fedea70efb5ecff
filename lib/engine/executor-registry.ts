import type { NodeType } from "@/lib/workflow/node-types";
import type { Executor } from "./executor";
import { conditionExecutor } from "./executors/condition";
import { delayExecutor } from "./executors/delay";
import { emailExecutor } from "./executors/email";
import { filterExecutor } from "./executors/filter";
import { httpExecutor } from "./executors/http";
import { llmExecutor } from "./executors/llm";
import { mergeExecutor } from "./executors/merge";
import { outputExecutor } from "./executors/output";
import { transformExecutor } from "./executors/transform";
import { triggerExecutor } from "./executors/trigger";

/** The executor of each node type of SPEC §1. */
export const executors: { [T in NodeType]: Executor<T> } = {
  trigger: triggerExecutor,
  http: httpExecutor,
  llm: llmExecutor,
  condition: conditionExecutor,
  filter: filterExecutor,
  transform: transformExecutor,
  merge: mergeExecutor,
  delay: delayExecutor,
  email: emailExecutor,
  output: outputExecutor,
};
