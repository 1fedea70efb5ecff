import "server-only";
import { getEnv } from "@/lib/env";
import type { Otel } from "./otel";

/**
 * The process's tracing, on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Off, nothing of the
 * OpenTelemetry SDK is imported: `lib/telemetry/otel.ts` is loaded dynamically on first use.
 * Kept on globalThis so Next's module copies (route handlers, instrumentation) share one provider.
 */
const KEY = Symbol.for("braid.otel");
type Holder = { [KEY]?: Promise<Otel> };

/** The tracing SDK when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (started on first call), else undefined. */
export async function getTracing(): Promise<Otel | undefined> {
  const env = getEnv();
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const holder = globalThis as Holder;
  if (!endpoint) return undefined;
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf";
  const existing = holder[KEY];
  if (existing) {
    const otel = await existing;
    const same =
      otel.options.endpoint === endpoint &&
      otel.options.captureContent === env.OTEL_CAPTURE_CONTENT &&
      otel.options.protocol === protocol;
    if (same) return otel;
    // The configuration changed (tests): the old provider exports what it holds and stops.
    if (holder[KEY] === existing) holder[KEY] = undefined;
    await otel.shutdown().catch(() => {});
    return getTracing();
  }
  const started = import("./otel").then(({ startOtel }) =>
    startOtel({
      endpoint,
      protocol,
      captureContent: env.OTEL_CAPTURE_CONTENT,
      serviceName: process.env.OTEL_SERVICE_NAME || undefined,
    }),
  );
  holder[KEY] = started;
  return started;
}

/** Exports the spans ended so far (tests, benchmarks, shutdown); nothing when tracing is off. */
export async function flushTracing(): Promise<void> {
  const otel = await (globalThis as Holder)[KEY];
  await otel?.flush();
}
