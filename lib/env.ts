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
  HTTP_ALLOW_PRIVATE_NETWORK: bool,
  HTTP_ALLOWED_HOSTS: optionalString,
  APP_PASSWORD: optionalString,
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
