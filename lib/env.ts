import "server-only";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

/** Configuration of SPEC §6 (and a few more), parsed once from the environment. */
export const Env = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalString,
  /** Where the embedded PGlite database lives when DATABASE_URL is unset. */
  PGLITE_DATA_DIR: z.string().default(".data/pglite"),
  DATABASE_AUTO_MIGRATE: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  CRON_SECRET: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString,
  /** JSON `{ "<model>": { "input": USD/1M, "output": USD/1M } }` merged over the shipped prices (SPEC §6). */
  LLM_PRICES: optionalString,
  /** OTLP/HTTP endpoint for traces; unset → no tracing SDK is loaded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString,
  /** `true` puts prompts and answers on LLM spans. */
  OTEL_CAPTURE_CONTENT: bool,
  /** The OTLP encoding (the OpenTelemetry default, protobuf, or JSON); the traces-only variable wins. */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(["http/protobuf", "http/json"]).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(["http/protobuf", "http/json"]).optional(),
  /** Bearer token for `GET /api/metrics` (else a session is needed). */
  METRICS_TOKEN: optionalString,
  UPSTASH_REDIS_REST_URL: optionalString,
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  SMTP_URL: optionalString,
  IMMEDIATE_BUDGET_MS: z.coerce.number().int().min(100).max(900_000).default(10_000),
  EXECUTION_LEASE_MS: z.coerce.number().int().min(500).max(3_600_000).default(30_000),
  EXECUTION_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  /** Time budget of one drain call, below the platform's maximum function duration. */
  DRAIN_BUDGET_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(50_000),
  /** How long an SSE stream stays open before it closes itself so the client resumes. */
  SSE_MAX_DURATION_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(280_000),
  /** `false` makes live events poll the table instead of LISTEN (transaction poolers). */
  EVENTS_LISTEN: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  /** Calls a webhook token accepts per window unless the webhook sets its own limit. */
  WEBHOOK_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(60),
  WEBHOOK_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Immediate runs one process runs at once; past it, immediate requests are queued instead. */
  MAX_INFLIGHT_IMMEDIATE: z.coerce.number().int().min(0).max(10_000).default(32),
  HTTP_ALLOW_PRIVATE_NETWORK: bool,
  HTTP_ALLOWED_HOSTS: optionalString,
  /** The instance's public URL; its host is accepted in `Host` and `Origin` (DNS rebinding, CSRF). */
  APP_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** More host names (comma separated, `name` or `name:port`, `*` for any) the instance answers to. */
  ALLOWED_HOSTS: optionalString,
  /** Set by Vercel: the deployment's own host names, accepted like ALLOWED_HOSTS. */
  VERCEL_URL: optionalString,
  VERCEL_BRANCH_URL: optionalString,
  VERCEL_PROJECT_PRODUCTION_URL: optionalString,
  APP_PASSWORD: optionalString,
  /** Proxies (IPs or IPv4 CIDRs, comma separated) whose X-Forwarded-For / -Proto are believed. */
  TRUSTED_PROXIES: optionalString,
  APP_SECRET: optionalString,
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
});
export type Env = z.infer<typeof Env>;

let cached: Env | undefined;

/** The parsed environment; throws with the offending variable named when it is invalid. */
export function getEnv(): Env {
  if (!cached) {
    const parsed = Env.safeParse(process.env);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`invalid environment: ${msg}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Forgets the parsed environment so the next `getEnv()` reads `process.env` again (tests). */
export function resetEnv(): void {
  cached = undefined;
}
