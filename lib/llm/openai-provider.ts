import "server-only";
import OpenAI from "openai";
import type { LlmCachedValue } from "@/lib/cache/llm-cache";
import type { LlmRequest } from "@/lib/engine/ports";
import { LlmError } from "./llm-error";
import { scrubSecrets } from "./scrub";

/** One chat completion against an OpenAI-compatible API, without cache or coalescing. */
export interface LlmProvider {
  /** Streams when `onText` is given (called with the whole text so far on every chunk). */
  complete(
    req: LlmRequest,
    options: { signal?: AbortSignal; onText?: (text: string) => void },
  ): Promise<LlmCachedValue>;
}

type Params = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

function paramsOf(req: LlmRequest, maxTokensField: "max_tokens" | "max_completion_tokens"): Params {
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
  if (req.system) messages.push({ role: "system", content: req.system });
  messages.push({ role: "user", content: req.prompt });
  const params: Params = { model: req.model, messages };
  if (req.temperature !== undefined) params.temperature = req.temperature;
  if (req.maxTokens !== undefined) params[maxTokensField] = req.maxTokens;
  if (req.json) params.response_format = { type: "json_object" };
  return params;
}

/** Parses a JSON-mode answer, tolerating one surrounding ```json fence. */
export function parseJsonReply(text: string): unknown {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i.exec(trimmed);
  const body = fenced?.[1] ?? trimmed;
  try {
    return JSON.parse(body);
  } catch (err) {
    const preview = body.length > 120 ? `${body.slice(0, 120)}…` : body;
    const reason = err instanceof Error ? err.message : String(err);
    throw new LlmError(
      "llm_invalid_json",
      `the model returned invalid JSON in JSON mode (${reason}); it began: ${JSON.stringify(preview)}`,
    );
  }
}

/**
 * Creates the provider on the `openai` SDK. The SDK's retries default to 0 (the node's retry
 * policy decides); `timeoutMs` bounds each request. Errors become `LlmError`s carrying the
 * provider's message and status, with the key scrubbed out.
 */
export function createOpenAiProvider(options: {
  apiKey?: string;
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
}): LlmProvider {
  const { apiKey } = options;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const client = apiKey
    ? new OpenAI({
        apiKey,
        baseURL: options.baseUrl ?? null,
        timeout: timeoutMs,
        maxRetries: options.maxRetries ?? 0,
      })
    : undefined;
  const scrub = (message: string) => scrubSecrets(message, [apiKey]);
  let maxTokensField: "max_tokens" | "max_completion_tokens" = "max_tokens";

  const toLlmError = (err: unknown, signal?: AbortSignal): unknown => {
    if (signal?.aborted) return signal.reason ?? err;
    if (err instanceof LlmError) return err;
    if (err instanceof OpenAI.APIConnectionTimeoutError) {
      return new LlmError("llm_timeout", `the LLM provider did not answer within ${timeoutMs} ms`);
    }
    if (err instanceof OpenAI.APIConnectionError) {
      const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
      return new LlmError("llm_provider", scrub(`could not reach the LLM provider${cause}`));
    }
    if (err instanceof OpenAI.APIError && err.status !== undefined) {
      const body = err.error as { message?: unknown } | undefined;
      const detail = typeof body?.message === "string" ? body.message : err.message;
      return new LlmError(
        "llm_provider",
        scrub(`LLM provider answered ${err.status}: ${detail}`),
        err.status,
      );
    }
    const message = err instanceof Error ? err.message : String(err);
    return new LlmError("llm_provider", scrub(`LLM call failed: ${message}`));
  };

  const once = async (
    sdk: OpenAI,
    req: LlmRequest,
    signal: AbortSignal | undefined,
    onText: ((text: string) => void) | undefined,
  ): Promise<LlmCachedValue> => {
    const params = paramsOf(req, maxTokensField);
    if (!onText) {
      const completion = await sdk.chat.completions.create(params, { signal });
      return {
        text: completion.choices[0]?.message?.content ?? "",
        model: completion.model || req.model,
        usage: {
          promptTokens: completion.usage?.prompt_tokens ?? 0,
          completionTokens: completion.usage?.completion_tokens ?? 0,
        },
      };
    }
    const stream = await sdk.chat.completions.create(
      { ...params, stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    let text = "";
    let model = req.model;
    const usage = { promptTokens: 0, completionTokens: 0 };
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      if (chunk.usage) {
        usage.promptTokens = chunk.usage.prompt_tokens ?? 0;
        usage.completionTokens = chunk.usage.completion_tokens ?? 0;
      }
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) {
        text += delta;
        onText(text);
      }
    }
    return { text, model, usage };
  };

  return {
    async complete(req, { signal, onText }) {
      if (!client) throw new LlmError("llm_config", "OPENAI_API_KEY is not configured");
      let value: LlmCachedValue;
      try {
        try {
          value = await once(client, req, signal, onText);
        } catch (err) {
          // Newer OpenAI models refuse `max_tokens`; switch once for this client and retry.
          const rejectsMaxTokens =
            err instanceof OpenAI.BadRequestError &&
            req.maxTokens !== undefined &&
            maxTokensField === "max_tokens" &&
            /max_completion_tokens/.test(err.message);
          if (!rejectsMaxTokens) throw err;
          maxTokensField = "max_completion_tokens";
          value = await once(client, req, signal, onText);
        }
      } catch (err) {
        throw toLlmError(err, signal);
      }
      return req.json ? { ...value, json: parseJsonReply(value.text) } : value;
    },
  };
}
