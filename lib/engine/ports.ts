/**
 * The engine's ports: the only ways `lib/engine/` talks to the world. The engine imports nothing
 * from next, drizzle, postgres, openai or Redis; adapters implementing these live elsewhere
 * (`lib/runs/`, `lib/llm/`, `lib/http/`, `lib/email/`) and are assembled by one `createX()` each.
 */

import type { EngineEvent, LogEvent, NodeError } from "@/lib/contract/events";
import type { NodeStatus } from "@/lib/contract/status";

export type {
  EngineEvent,
  ExecutionEvent,
  LogEvent,
  LoopProgress,
  NodeError,
  NodeEvent,
  PartialEvent,
} from "@/lib/contract/events";
// The statuses and events are the contract shared with the browser (lib/contract/).
export type { ExecutionStatus, NodeStatus } from "@/lib/contract/status";

/** A node's checkpoint: what the journal stores when the node changes state. */
export interface NodeCheckpoint {
  nodeId: string;
  status: NodeStatus;
  /** Attempts made so far (0 before the first). */
  attempts: number;
  input?: unknown;
  output?: unknown;
  error?: NodeError;
  /** ISO timestamps. */
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  cached?: boolean;
  /** The source handle a succeeded `condition` took (`true`/`false`); journals may drop it. */
  handle?: string;
}

/** Where node checkpoints are loaded from and saved to (Postgres in production, memory in tests). */
export interface Journal {
  /** Checkpoints already recorded for this execution, by node id (for resume). */
  load(): Promise<Record<string, NodeCheckpoint>>;
  /** Records a node's new state; resolves once it is durable. */
  save(checkpoint: NodeCheckpoint): Promise<void>;
}

/** Receives every event in order. `emit` must not throw; a returned promise is awaited. */
export interface EventSink {
  emit(event: EngineEvent): void | Promise<void>;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else is sent as JSON. */
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The calling node attempt's span (W3C `traceparent`, tracing on): sent unless `headers` has one. */
  traceparent?: string;
}
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, else text. */
  body: unknown;
  /** The URL after redirects. */
  url: string;
}
/** Every outbound HTTP request of a node goes through this one client (SSRF guard, size cap). */
export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export interface LlmRequest {
  model: string;
  prompt: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  json?: boolean;
  /** Default true. */
  cache?: boolean;
  /** Default 3600. */
  cacheTtlSeconds?: number;
}
export interface LlmResult {
  text: string;
  json?: unknown;
  model: string;
  usage: { promptTokens: number; completionTokens: number };
  cached: boolean;
  /** USD this call cost: 0 for a cached answer, null for a model without a price. */
  costUsd?: number | null;
  /** For a cached answer, what the call would have cost (null without a price). */
  savedUsd?: number | null;
  /** The provider's `finish_reason` (`stop`, `length`, …), when it gave one. */
  finishReason?: string;
}
export interface LlmCallOptions {
  signal?: AbortSignal;
  /** Called with the whole text so far while a completion streams (throttled by the caller). */
  onPartial?: (text: string) => void;
  /** Warnings (cache down, …) that belong in the execution log. */
  log?: (level: LogEvent["level"], message: string) => void;
  /** The calling node attempt's span (W3C `traceparent`, tracing on): the LLM span's parent. */
  traceparent?: string;
}
export interface LlmClient {
  complete(req: LlmRequest, options?: LlmCallOptions): Promise<LlmResult>;
}

export interface EmailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
}
export interface Mailer {
  send(
    message: EmailMessage,
    options?: { signal?: AbortSignal },
  ): Promise<{ messageId: string; accepted: string[] }>;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts. Never busy-waits. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * An execution's LLM spend: the LLM executor asks before each call and reports after it. The
 * adapter keeps the totals (on the execution row, so they hold across hand-offs and resumes) and
 * enforces the budget, if any.
 */
export interface BudgetPort {
  /** Throws an error with code `budget_exceeded` when the call's estimate does not fit what is left. */
  beforeCall(req: LlmRequest): Promise<void>;
  /** Charges a finished call; throws (code `budget_exceeded`) when the budget is now exceeded. */
  afterCall(req: LlmRequest, result: LlmResult): Promise<void>;
  /** Aborts, with the `budget_exceeded` error, once the budget is exceeded: LLM calls in flight stop. */
  readonly signal?: AbortSignal;
}

/** One node attempt as a tracer sees it. */
export interface AttemptInfo {
  nodeId: string;
  type: string;
  attempt: number;
}
/** How an attempt ended. */
export interface AttemptEnd {
  status: "succeeded" | "failed" | "aborted";
  cached?: boolean;
  error?: NodeError;
}
/** One node attempt as a tracer sees it. */
export interface AttemptSpan {
  end(outcome: AttemptEnd): void;
  /**
   * The attempt's span as a W3C `traceparent` (tracing on; read only when the node calls out):
   * the executor hands it to its LLM and HTTP calls, so their spans and requests hang below it.
   */
  readonly traceparent?: string;
}
/** Observes node attempts (traces, metrics). `startAttempt` must be cheap and must not throw. */
export interface AttemptTracer {
  startAttempt(info: AttemptInfo): AttemptSpan | undefined;
}

/** One field of an approval form (SPEC §1 `wait`). */
export interface ApprovalField {
  name: string;
  label?: string;
  type: "text" | "number" | "boolean" | "select";
  options?: string[];
  required?: boolean;
}

/** What a suspending node asks the store to wait for. Registering the same `key` again is a no-op. */
export interface WaitRegistration {
  /** The node's journal key (`w`, or `w#3` in a loop body): one wait per key and execution. */
  key: string;
  nodeId: string;
  for: "time" | "webhook" | "approval" | "execution";
  /** When its timer resumes it (`time`). */
  dueAt?: string;
  /** When it times out (`timeout` handle). */
  timeoutAt?: string;
  /** The correlation key `POST /api/workflows/:id/resume` matches. */
  correlationKey?: string;
  /** What `/approve/<token>` shows. */
  approval?: { title: string; message?: string; fields?: ApprovalField[]; data?: unknown };
  /** The child execution it waits on (`execution`). */
  childExecutionId?: string;
}

/** How a wait was resumed: the `wait` node's output (SPEC §1). */
export interface WaitResolution {
  resumedAt: string;
  by: "timer" | "webhook" | "approval" | "key" | "timeout" | "execution";
  data?: unknown;
  approved?: boolean;
  comment?: string;
}

export type WaitState = { status: "pending" } | { status: "resolved"; resolution: WaitResolution };

/** The links that resume a wait: the resume webhook and the approval page. */
export interface WaitLinks {
  resumeUrl: string;
  approvalUrl: string;
}

/**
 * Durable waits (the `wait` node, a parent waiting on its child): where a suspending node records
 * what it waits for, and finds how it was resumed when it runs again. Without it, nodes cannot
 * suspend (single-node runs, tests without a store).
 */
export interface WaitPort {
  register(wait: WaitRegistration): Promise<WaitState>;
  /** The links of the wait of node key `key` (they exist before it registers: an email may carry them). */
  links(key: string): WaitLinks;
  /**
   * The journal keys of the nodes whose waits are still pending, read once when a run starts: such
   * a node, checkpointed `waiting`, stays suspended without running again (a parent mapping many
   * children re-runs in memory, not with a query per waiting item).
   */
  pendingKeys?(): Promise<Set<string>>;
}

/** A child execution a `workflow` node starts. */
export interface ChildRequest {
  /** The parent node's journal key and attempt: one child per key and attempt, ever. */
  key: string;
  attempt: number;
  nodeId: string;
  workflowId: string;
  version?: number;
  triggerId?: string;
  inputs: unknown;
  /** The parent waits for its outcome (it may run inline when small and the budget allows). */
  wait: boolean;
  /** The calling attempt's span (W3C `traceparent`, tracing on): the child's trace continues it. */
  traceparent?: string;
}

/** A child execution as its parent sees it. */
export interface ChildState {
  executionId: string;
  status: string;
  outputs?: Record<string, unknown> | null;
  error?: (NodeError & { nodeId?: string }) | null;
  /** Started and ended within this call (run inline): there is no wait to record. */
  fresh?: boolean;
}

/** Starts child executions (sub-workflows): idempotent per parent, node key and attempt. */
export interface ChildPort {
  start(request: ChildRequest, options: { signal: AbortSignal }): Promise<ChildState>;
}

/** Everything an execution needs from the outside world. */
export interface EnginePorts {
  journal: Journal;
  events: EventSink;
  http: HttpClient;
  llm: LlmClient;
  mailer: Mailer;
  /** Runs `code` nodes' JavaScript in a sandbox; without one, code nodes fail with a clear error. */
  code?: CodeRunner;
  clock?: Clock;
  /** LLM spend and budget; without it LLM calls are neither counted nor capped. */
  budget?: BudgetPort;
  /** Optional observer of node attempts; absent → no work at all. */
  tracer?: AttemptTracer;
  /** Durable waits; without it a node that would suspend fails (or, for a short timer, sleeps). */
  waits?: WaitPort;
  /** Child executions (the `workflow` node); without it the node fails with a clear error. */
  children?: ChildPort;
}

/** One invocation of a `code` node's JavaScript: what it sees and its limits. */
export interface CodeRequest {
  source: string;
  input: unknown;
  inputs: unknown;
  nodes: Record<string, unknown>;
  item?: unknown;
  index?: number;
  timeoutMs?: number;
  memoryMb?: number;
}

/** How an invocation ended, with the `console.*` lines it wrote either way. */
export type CodeOutcome = (
  | { ok: true; value: unknown }
  | { ok: false; error: NodeError & { line?: number; column?: number } }
) & { logs: Array<{ level: LogEvent["level"]; message: string }> };

/** Where `code` nodes run: a sandbox that shares no objects with the host (QuickJS in WebAssembly). */
export interface CodeRunner {
  run(request: CodeRequest, options: { signal: AbortSignal }): Promise<CodeOutcome>;
}
