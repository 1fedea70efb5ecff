import { z } from "zod";
import { renderTemplates, stringifyValue } from "@/lib/engine/expressions";
import type { LlmRequest } from "@/lib/engine/ports";
import { createRedactor } from "@/lib/security/redact";
import { clip, defineNodeType, summaryText } from "../define";

export const LlmConfig = z.strictObject({
  model: z.string().trim().min(1, "model is required").max(200),
  prompt: z.string().min(1, "prompt is required").max(200_000),
  system: z.string().max(200_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.int().min(1).max(200_000).optional(),
  json: z.boolean().optional(),
  cache: z.boolean().optional(),
  cacheTtlSeconds: z
    .int()
    .min(1)
    .max(30 * 86_400)
    .optional(),
});
export type LlmConfig = z.infer<typeof LlmConfig>;

/** `llm`: renders the prompt and asks the LLM port, streaming partial text and logging its warnings. */
export const llmNode = defineNodeType({
  type: "llm",
  label: "LLM",
  description: "Asks an OpenAI-compatible model; responses are cached.",
  glyph: "✦",
  color: "#9333ea",
  config: LlmConfig,
  handles: ["out"],
  defaults: { model: "gpt-4o-mini", prompt: "Summarize: {{ input }}" },
  fields: [
    { key: "model", kind: "template", required: true },
    { key: "prompt", kind: "textarea", required: true },
    { key: "system", kind: "textarea" },
    { key: "temperature", kind: "number", min: 0, max: 2 },
    { key: "maxTokens", kind: "number", integer: true, min: 1, max: 200_000 },
    { key: "json", kind: "checkbox", label: "JSON mode" },
    { key: "cache", kind: "checkbox", help: "Cached answers are reused for identical prompts (default on)." },
    { key: "cacheTtlSeconds", kind: "number", label: "Cache TTL seconds", integer: true, min: 1 },
  ],
  summary: (c) => clip(summaryText(c.model)),
  estimate: { typicalMs: 4000, weight: { score: 10, noun: "LLM" } },
  sideEffects: true,
  async execute(ctx) {
    const { node } = ctx;
    const site = (field: string) => ({ nodeType: node.type, nodeId: node.id, field: `config.${field}` });
    const c = node.config;
    const model = stringifyValue(await renderTemplates(c.model, ctx.scope, site("model")));
    const prompt = stringifyValue(await renderTemplates(c.prompt, ctx.scope, site("prompt")));
    const system =
      c.system === undefined
        ? undefined
        : stringifyValue(await renderTemplates(c.system, ctx.scope, site("system")));
    // A prompt carrying a secret (in any encoding) is never cached: the cache would store it in clear.
    const sent = [model, prompt, system ?? ""];
    const carriesSecret = createRedactor(Object.values(ctx.scope.secrets ?? {}))(sent) !== sent;
    const request: LlmRequest = {
      model,
      prompt,
      system,
      temperature: c.temperature,
      maxTokens: c.maxTokens,
      json: c.json,
      cache: (c.cache ?? true) && !carriesSecret,
      cacheTtlSeconds: c.cacheTtlSeconds ?? 3600,
    };
    // The run's budget (if any) refuses a call that would exceed it, and can abort one in flight.
    const { budget } = ctx.ports;
    await budget?.beforeCall(request);
    const result = await ctx.ports.llm.complete(request, {
      signal: budget?.signal ? AbortSignal.any([ctx.signal, budget.signal]) : ctx.signal,
      onPartial: (text) => ctx.partial(text),
      log: (level, message) => ctx.log(level, message),
      traceparent: ctx.traceparent,
    });
    await budget?.afterCall(request, result);
    const output: Record<string, unknown> = {
      text: result.text,
      model: result.model,
      usage: result.usage,
      cached: result.cached,
    };
    if (result.costUsd !== undefined) output.costUsd = result.costUsd;
    if (result.savedUsd !== undefined) output.savedUsd = result.savedUsd;
    if (result.json !== undefined) output.json = result.json;
    if (result.cached) ctx.log("info", `llm "${node.id}": cache hit`);
    return { output, cached: result.cached };
  },
});
