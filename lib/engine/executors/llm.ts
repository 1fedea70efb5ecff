import { createRedactor } from "@/lib/security/redact";
import type { Executor } from "../executor";
import { renderTemplates, stringifyValue } from "../expressions";
import type { LlmRequest } from "../ports";

/** `llm`: renders the prompt and asks the LLM port, streaming partial text and logging its warnings. */
export const llmExecutor: Executor<"llm"> = async (ctx) => {
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
  const { budget } = ctx.ports;
  await budget?.beforeCall(request);
  const result = await ctx.ports.llm.complete(request, {
    signal: budget?.signal ? AbortSignal.any([ctx.signal, budget.signal]) : ctx.signal,
    onPartial: (text) => ctx.partial(text),
    log: (level, message) => ctx.log(level, message),
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
};
