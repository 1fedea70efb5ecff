import "server-only";
import { createHash } from "node:crypto";
import type { LlmRequest, LlmResult } from "@/lib/engine/ports";

/** What the cache keeps of a completion: the result without `cached`. */
export type LlmCachedValue = Omit<LlmResult, "cached">;

/**
 * A shared store of LLM responses plus short locks, so identical calls in different processes reach
 * the provider once. Implementations may throw or hang when their backend is down; the LLM client
 * bounds every call and bypasses the cache then.
 */
export interface LlmCache {
  /** The value under `key`, or undefined when absent or expired. */
  get(key: string): Promise<LlmCachedValue | undefined>;
  set(key: string, value: LlmCachedValue, ttlSeconds: number): Promise<void>;
  /** Takes the lock on `key` for `ttlMs` unless someone else holds it; true when taken. */
  acquireLock(key: string, ttlMs: number): Promise<boolean>;
  /** Extends the lock on `key` to `ttlMs` from now if this instance still holds it; true when renewed. */
  renewLock(key: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock on `key` if this cache instance still holds it. */
  releaseLock(key: string): Promise<void>;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * The cache key of a request: `llm:v1:` + SHA-256 of everything that shapes the answer (model,
 * messages, temperature, max tokens, JSON mode) and the provider it goes to. `cache` and
 * `cacheTtlSeconds` are left out: they say how to cache, not what.
 */
export function cacheKey(req: LlmRequest, provider = "openai"): string {
  const canonical = canonicalJson({
    provider,
    model: req.model,
    system: req.system ?? null,
    prompt: req.prompt,
    temperature: req.temperature ?? null,
    maxTokens: req.maxTokens ?? null,
    json: req.json === true,
  });
  return `llm:v1:${createHash("sha256").update(canonical).digest("hex")}`;
}

/** Whether a stored value has the shape of a cached completion (anything else is a miss). */
export function isLlmCachedValue(value: unknown): value is LlmCachedValue {
  if (!value || typeof value !== "object") return false;
  const v = value as Partial<LlmCachedValue>;
  return (
    typeof v.text === "string" &&
    typeof v.model === "string" &&
    typeof v.usage?.promptTokens === "number" &&
    typeof v.usage?.completionTokens === "number"
  );
}
