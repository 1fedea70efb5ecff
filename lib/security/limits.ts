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
