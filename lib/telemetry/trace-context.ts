/**
 * W3C Trace Context (`traceparent`) parsing without the OpenTelemetry SDK: the run and webhook
 * routes read the header whether or not tracing is on, and store it on the execution so a runner
 * with tracing on continues the caller's trace.
 */

/** A parsed `traceparent`: version 00, 32 + 16 lowercase hex digits, sampled flag. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/**
 * Parses a `traceparent` header value; undefined when absent or invalid (version ff, all-zero ids,
 * a version-00 header with extra fields), as the W3C recommendation says to ignore such a header.
 */
export function parseTraceparent(value: string | null | undefined): TraceParent | undefined {
  if (!value) return undefined;
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const [whole, version, traceId, spanId, flags] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (version === "ff") return undefined;
  if (version === "00" && whole.length !== 55) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** Formats a version-00 `traceparent`. */
export function formatTraceparent(context: TraceParent): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? "01" : "00"}`;
}

/** A `traceparent` header normalized for storage (version 00, lowercase), or null when invalid. */
export function normalizeTraceparent(value: string | null | undefined): string | null {
  const parsed = parseTraceparent(value);
  return parsed ? formatTraceparent(parsed) : null;
}
