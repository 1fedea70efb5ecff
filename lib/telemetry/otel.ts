import "server-only";
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type {
  AttemptEnd,
  AttemptSpan,
  AttemptTracer,
  HttpClient,
  LlmClient,
  LlmRequest,
  LlmResult,
} from "@/lib/engine/ports";
import { formatTraceparent, parseTraceparent } from "./trace-context";

/**
 * The OpenTelemetry SDK side of Braid's tracing. This module is only ever imported dynamically,
 * by `lib/telemetry/tracing.ts`, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: without it no SDK code
 * is loaded at all.
 *
 * The trace of an execution:
 *
 *   (caller's span, from a `traceparent` on the run or webhook request)
 *     └ braid.execution      one per claim: the first run, each hand-off, resume or crash recovery
 *         └ node <type>      one per node attempt (node id, type, attempt, status, cached)
 *             ├ chat <model> an LLM call (GenAI semantic conventions)
 *             └ (the HTTP server an http node called, through the `traceparent` it sent)
 *
 * Every claim's span has the execution's stored trace context as its parent: the caller's span when
 * the request carried one, else the first claim's span (stored on the row by the first runner), so
 * all claims of an execution land in one trace.
 */

/** Options of the process's tracer provider. */
export interface OtelOptions {
  /** The OTLP/HTTP base URL (`…:4318`); spans are posted to `<endpoint>/v1/traces`. */
  endpoint: string;
  /**
   * The encoding: protobuf (the OpenTelemetry default; the SDK writes it straight to bytes) or
   * JSON. `npm run bench -- telemetry` measures both.
   */
  protocol: "http/protobuf" | "http/json";
  /** Put prompts and answers on LLM spans (`OTEL_CAPTURE_CONTENT=true`). */
  captureContent: boolean;
  serviceName?: string;
}

/** One runner's span of an execution and the adapters that hang their spans below it. */
export interface ExecutionTrace {
  /** The `traceparent` of the runner's span (stored on the row by the first claim). */
  traceparent: string;
  tracer: AttemptTracer;
  /** An LLM client whose calls are spans below the node attempt that makes them. */
  wrapLlm(llm: LlmClient): LlmClient;
  /** An HTTP client that sends the node attempt's `traceparent` (unless the node sets one). */
  wrapHttp(http: HttpClient): HttpClient;
  /** Ends the runner's span with how the claim ended. */
  end(status: string, error?: { message: string; code?: string }): void;
}

/** What a runner knows of the execution it claimed. */
export interface ExecutionTraceInfo {
  executionId: string;
  workflowId: string;
  /** The stored trace context (the caller's span or the first claim's), if any. */
  parent?: string | null;
  claims: number;
  mode?: string;
  /** Redacts secrets from captured content. */
  redact?: <T>(value: T) => T;
}

/** The tracer provider of this process and what it is configured with. */
export interface Otel {
  options: OtelOptions;
  provider: BasicTracerProvider;
  startExecution(info: ExecutionTraceInfo): ExecutionTrace;
  /** Exports every ended span now (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Starts the SDK: a basic tracer provider exporting batches over OTLP/HTTP (protobuf or JSON). */
export function startOtel(options: OtelOptions): Otel {
  const url = `${options.endpoint.replace(/\/+$/, "")}/v1/traces`;
  const exporter =
    options.protocol === "http/json" ? new JsonTraceExporter({ url }) : new ProtobufTraceExporter({ url });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName ?? "braid" }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Not registered as the global provider: Next.js's own spans (route loading, rendering) would
  // then be exported too, each as a trace of its own, with no link to Braid's.
  const tracer = provider.getTracer("braid");
  return {
    options,
    provider,
    startExecution: (info) => startExecutionTrace(tracer, options, info),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

function contextOf(traceparent: string | null | undefined): Context {
  const parsed = parseTraceparent(traceparent);
  if (!parsed) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    traceFlags: parsed.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

function traceparentOf(span: Span): string {
  const sc = span.spanContext();
  return formatTraceparent({
    traceId: sc.traceId,
    spanId: sc.spanId,
    sampled: (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
  });
}

function endWithError(span: Span, error: { message: string; code?: string } | undefined): void {
  if (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    span.setAttribute("error.type", error.code ?? "error");
  }
  span.end();
}

/**
 * A node attempt's span as the engine holds it. The executor passes `traceparent` to its LLM and
 * HTTP calls, which hang their spans and requests below it (no AsyncLocalStorage: on Node 20 that
 * turns on promise hooks for every promise of the process).
 */
class AttemptSpanOf implements AttemptSpan {
  constructor(private readonly span: Span) {}
  end(outcome: AttemptEnd): void {
    this.span.setAttributes({
      "braid.node.status": outcome.status,
      "braid.node.cached": outcome.cached ?? false,
    });
    endWithError(this.span, outcome.error);
  }
  get traceparent(): string {
    return traceparentOf(this.span);
  }
}

function startExecutionTrace(tracer: Tracer, options: OtelOptions, info: ExecutionTraceInfo): ExecutionTrace {
  const attributes: Attributes = {
    "braid.execution.id": info.executionId,
    "braid.workflow.id": info.workflowId,
    "braid.execution.claim": info.claims,
  };
  if (info.mode) attributes["braid.execution.mode"] = info.mode;
  const runSpan = tracer.startSpan(
    "braid.execution",
    { kind: SpanKind.INTERNAL, attributes },
    contextOf(info.parent),
  );
  const runContext = trace.setSpan(ROOT_CONTEXT, runSpan);
  const redact = info.redact ?? (<T>(v: T) => v);

  const attemptTracer: AttemptTracer = {
    startAttempt(attempt) {
      const span = tracer.startSpan(
        `node ${attempt.type}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            "braid.node.id": attempt.nodeId,
            "braid.node.type": attempt.type,
            "braid.node.attempt": attempt.attempt,
          },
        },
        runContext,
      );
      return new AttemptSpanOf(span);
    },
  };

  // A call's parent: the attempt that made it, else the runner's span.
  const parentContext = (traceparent: string | undefined): Context =>
    traceparent ? contextOf(traceparent) : runContext;

  return {
    traceparent: traceparentOf(runSpan),
    tracer: attemptTracer,
    wrapLlm(llm) {
      return {
        async complete(req, callOptions) {
          const span = tracer.startSpan(
            `chat ${req.model}`,
            { kind: SpanKind.CLIENT, attributes: llmRequestAttributes(req, options, redact) },
            parentContext(callOptions?.traceparent),
          );
          try {
            const result = await llm.complete(req, callOptions);
            span.setAttributes(llmResultAttributes(result, options, redact));
            span.end();
            return result;
          } catch (err) {
            const e = err as { message?: string; code?: string };
            endWithError(span, { message: String(e?.message ?? err), code: e?.code });
            throw err;
          }
        },
      };
    },
    wrapHttp(http) {
      return {
        request(req) {
          const headers = req.headers ?? {};
          if (Object.keys(headers).some((h) => h.toLowerCase() === "traceparent")) return http.request(req);
          const traceparent = req.traceparent ?? traceparentOf(runSpan);
          return http.request({ ...req, headers: { ...headers, traceparent } });
        },
      };
    },
    end(status, error) {
      runSpan.setAttribute("braid.execution.status", status);
      endWithError(runSpan, error);
    },
  };
}

/** GenAI semantic conventions: the request side of a chat span. */
function llmRequestAttributes(req: LlmRequest, options: OtelOptions, redact: <T>(v: T) => T): Attributes {
  const attributes: Attributes = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.system": "openai",
    "gen_ai.request.model": req.model,
  };
  if (req.temperature !== undefined) attributes["gen_ai.request.temperature"] = req.temperature;
  if (req.maxTokens !== undefined) attributes["gen_ai.request.max_tokens"] = req.maxTokens;
  if (req.json) attributes["gen_ai.output.type"] = "json";
  if (options.captureContent) {
    const messages: { role: string; parts: { type: "text"; content: string }[] }[] = [];
    if (req.system) messages.push({ role: "system", parts: [{ type: "text", content: req.system }] });
    messages.push({ role: "user", parts: [{ type: "text", content: req.prompt }] });
    attributes["gen_ai.input.messages"] = JSON.stringify(redact(messages));
  }
  return attributes;
}

/** GenAI semantic conventions: the response side of a chat span, plus Braid's cache and cost. */
function llmResultAttributes(result: LlmResult, options: OtelOptions, redact: <T>(v: T) => T): Attributes {
  // A cached answer used no provider tokens (as in the metrics and the cost).
  const attributes: Attributes = {
    "gen_ai.response.model": result.model,
    "gen_ai.usage.input_tokens": result.cached ? 0 : result.usage.promptTokens,
    "gen_ai.usage.output_tokens": result.cached ? 0 : result.usage.completionTokens,
    "braid.llm.cached": result.cached,
  };
  if (result.finishReason) attributes["gen_ai.response.finish_reasons"] = [result.finishReason];
  if (typeof result.costUsd === "number") attributes["braid.llm.cost_usd"] = result.costUsd;
  if (typeof result.savedUsd === "number") attributes["braid.llm.saved_usd"] = result.savedUsd;
  if (options.captureContent) {
    const message = {
      role: "assistant",
      parts: [{ type: "text", content: result.text }],
      ...(result.finishReason ? { finish_reason: result.finishReason } : {}),
    };
    attributes["gen_ai.output.messages"] = JSON.stringify(redact([message]));
  }
  return attributes;
}
