/** Default cap on one node's stored output (JSON bytes). */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** Characters of JSON kept as `preview` in a truncation marker. */
export const PREVIEW_CHARS = 2048;

/** What replaces an output over the cap: visible in the UI and the API instead of the value. */
export interface TruncatedOutput {
  __truncated: true;
  /** Size of the whole value as JSON, in UTF-8 bytes (0 when it could not be serialized). */
  bytes: number;
  /** The start of the value's JSON. */
  preview: string;
  reason?: "too_large" | "unserializable";
}

/**
 * `value` itself when its JSON is at most `maxBytes`, else a `TruncatedOutput` marker with its size
 * and the start of its JSON. Values JSON cannot represent (cycles, BigInt) become a marker too.
 */
export function capOutputSize<T>(value: T, maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES): T | TruncatedOutput {
  if (value === undefined || value === null || typeof value === "number" || typeof value === "boolean")
    return value;
  if (typeof value === "string" && value.length * 6 + 2 <= maxBytes) return value;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    return {
      __truncated: true,
      bytes: 0,
      preview: `output could not be serialized: ${err instanceof Error ? err.message : String(err)}`.slice(
        0,
        PREVIEW_CHARS,
      ),
      reason: "unserializable",
    };
  }
  if (json === undefined) return value;
  if (json.length <= maxBytes / 3) return value;
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes <= maxBytes) return value;
  const limit = Math.max(0, Math.min(PREVIEW_CHARS, Math.floor(maxBytes / 2)));
  return { __truncated: true, bytes, preview: cutAtCodePoint(json, limit), reason: "too_large" };
}

/** Whether a value is a truncation marker. */
export function isTruncatedOutput(value: unknown): value is TruncatedOutput {
  return (
    typeof value === "object" && value !== null && (value as { __truncated?: unknown }).__truncated === true
  );
}

function cutAtCodePoint(s: string, length: number): string {
  if (s.length <= length) return s;
  const code = s.charCodeAt(length - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/**
 * `capOutputSize` applied to what an engine event carries: a node event's `output` and an
 * execution event's `outputs`. Other events are returned as they are.
 */
export function capEventOutputs<T extends { type: string }>(
  event: T,
  maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES,
): T {
  const e = event as T & { output?: unknown; outputs?: unknown };
  if (e.type === "node" && e.output !== undefined) {
    const output = capOutputSize(e.output, maxBytes);
    return output === e.output ? event : { ...event, output };
  }
  if (e.type === "execution" && e.outputs !== undefined) {
    const outputs = capOutputSize(e.outputs, maxBytes);
    return outputs === e.outputs ? event : { ...event, outputs };
  }
  return event;
}

/** JSON as a jsonb parameter gets it (lib/queue/json-param.ts): bigints as strings, cycles marked. */
function tolerantJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    const seen = new WeakSet<object>();
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === "bigint") return v.toString();
        if (v && typeof v === "object") {
          if (seen.has(v)) return "[circular]";
          seen.add(v);
        }
        return v;
      }) ?? ""
    );
  }
}

function tooLarge(json: string, bytes: number, maxBytes: number): TruncatedOutput {
  const limit = Math.min(PREVIEW_CHARS, Math.floor(maxBytes / 2), Math.floor(bytes / 4));
  return { __truncated: true, bytes, preview: cutAtCodePoint(json, limit), reason: "too_large" };
}

/**
 * A run's outputs (`executions.outputs`, the immediate answer) capped like node outputs: each
 * output node's value over `maxBytes` becomes a truncation marker, then, while the whole is still
 * over `maxBytes`, so do the largest remaining values; the record keeps its keys. Anything but a
 * plain object is capped whole. Values are measured as they are stored (bigints as strings).
 */
export function capRunOutputs<T>(outputs: T, maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES): T {
  if (outputs === undefined || outputs === null) return outputs;
  if (typeof outputs !== "object" || Array.isArray(outputs)) {
    const json = tolerantJson(outputs);
    if (json.length <= maxBytes / 3) return outputs;
    const bytes = Buffer.byteLength(json, "utf8");
    return (bytes <= maxBytes ? outputs : tooLarge(json, bytes, maxBytes)) as T;
  }
  const entries = Object.entries(outputs as Record<string, unknown>).map(([key, value]) => {
    const json = tolerantJson(value);
    return { key, value, json, bytes: Buffer.byteLength(json, "utf8") };
  });
  let total = entries.reduce((sum, e) => sum + e.bytes + Buffer.byteLength(e.key, "utf8") + 4, 2);
  if (total <= maxBytes) return outputs;
  for (const e of [...entries].sort((a, b) => b.bytes - a.bytes)) {
    if (total <= maxBytes && e.bytes <= maxBytes) continue;
    if (isTruncatedOutput(e.value)) continue;
    const marker = tooLarge(e.json, e.bytes, maxBytes);
    total -= e.bytes - Buffer.byteLength(JSON.stringify(marker), "utf8");
    e.value = marker;
  }
  return Object.fromEntries(entries.map((e) => [e.key, e.value])) as T;
}

/** Node checkpoints as an answer may carry them: each one's input and output capped. */
export function capCheckpoints<T extends Record<string, { input?: unknown; output?: unknown }>>(
  nodes: T,
  maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES,
): T {
  let copy: Record<string, unknown> | undefined;
  for (const [id, cp] of Object.entries(nodes)) {
    const input = cp.input === undefined ? undefined : capOutputSize(cp.input, maxBytes);
    const output = cp.output === undefined ? undefined : capOutputSize(cp.output, maxBytes);
    if (input === cp.input && output === cp.output) continue;
    copy ??= { ...nodes };
    copy[id] = {
      ...cp,
      ...(cp.input === undefined ? {} : { input }),
      ...(cp.output === undefined ? {} : { output }),
    };
  }
  return (copy ?? nodes) as T;
}
