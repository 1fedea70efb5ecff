import type {
  ConditionConfig,
  DelayConfig,
  EmailConfig,
  FilterConfig,
  HttpConfig,
  LlmConfig,
  MergeConfig,
  OutputConfig,
  TransformConfig,
  TriggerConfig,
} from "@/lib/workflow/node-types";
import type { NodeOfType, WorkflowNode } from "@/lib/workflow/schema";
import type { ExpressionScope } from "./expressions";
import type { Clock, EnginePorts, LogEvent } from "./ports";

interface ConfigByType {
  trigger: TriggerConfig;
  http: HttpConfig;
  llm: LlmConfig;
  condition: ConditionConfig;
  filter: FilterConfig;
  transform: TransformConfig;
  merge: MergeConfig;
  delay: DelayConfig;
  email: EmailConfig;
  output: OutputConfig;
}

/** A node of type `T` with its config typed for that type. */
export type TypedNode<T extends WorkflowNode["type"]> = Omit<NodeOfType<T>, "config"> & {
  config: ConfigByType[T];
};

/** What an executor gets for one attempt of one node. */
export interface ExecutorContext<T extends WorkflowNode["type"] = WorkflowNode["type"]> {
  node: TypedNode<T>;
  /** The upstream output (one live source) or an object keyed by source id (several). */
  input: unknown;
  /** Live inputs by source id, in incoming edge order (for `merge`). */
  inputsBySource: ReadonlyArray<readonly [string, unknown]>;
  scope: ExpressionScope;
  /** Aborted on timeout, cancel or a hard deadline; executors pass it on to their ports. */
  signal: AbortSignal;
  ports: EnginePorts;
  clock: Clock;
  attempt: number;
  log(level: LogEvent["level"], message: string): void;
  /** Streams partial text (LLM); throttled by the engine. */
  partial(text: string): void;
}

/** An executor's result: the node's output, whether it came from a cache, and the handle taken. */
export interface ExecutorResult {
  output: unknown;
  cached?: boolean;
  /** Source handle whose edges are live; default `out`. */
  handle?: string;
}

/** Runs one attempt of a node of type `T`; throws to fail the attempt. */
export type Executor<T extends WorkflowNode["type"] = WorkflowNode["type"]> = (
  ctx: ExecutorContext<T>,
) => Promise<ExecutorResult>;
