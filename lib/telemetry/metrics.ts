import "server-only";
import { sql } from "drizzle-orm";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { type Db, query } from "@/lib/db/client";
import type { AttemptTracer, LlmResult } from "@/lib/engine/ports";

/** The metrics of this process (one registry, created on first use). */
export interface BraidMetrics {
  registry: Registry;
  nodeDuration: Histogram<"type" | "status">;
  nodeRetries: Counter<"type">;
  llmCalls: Counter<"model" | "cached">;
  llmTokens: Counter<"model" | "kind">;
  llmCost: Counter<"model">;
  llmSaved: Counter<"model">;
  llmCache: Counter<"result">;
  sseStreams: Gauge;
  executionsStarted: Counter<"mode">;
  executionsFinished: Counter<"status" | "mode">;
  claimLatency: Histogram;
  /** Where the scrape-time gauges read the queue from. */
  database?: Db;
}

const KEY = Symbol.for("braid.metrics");
type Holder = { [KEY]?: BraidMetrics };

/** This process's metrics (kept on globalThis, so Next's module copies share them). */
export function getMetrics(): BraidMetrics {
  const holder = globalThis as Holder;
  const existing = holder[KEY];
  if (existing) return existing;
  const registry = new Registry();
  const metrics: BraidMetrics = {
    registry,
    nodeDuration: new Histogram({
      name: "braid_node_duration_seconds",
      help: "Duration of node attempts, by node type and outcome",
      labelNames: ["type", "status"],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers: [registry],
    }),
    nodeRetries: new Counter({
      name: "braid_node_retries_total",
      help: "Node attempts after the first (retries), by node type",
      labelNames: ["type"],
      registers: [registry],
    }),
    llmCalls: new Counter({
      name: "braid_llm_calls_total",
      help: "LLM calls answered, by model and whether the cache answered",
      labelNames: ["model", "cached"],
      registers: [registry],
    }),
    llmTokens: new Counter({
      name: "braid_llm_tokens_total",
      help: "Tokens of LLM calls that reached the provider, by model and kind (prompt, completion)",
      labelNames: ["model", "kind"],
      registers: [registry],
    }),
    llmCost: new Counter({
      name: "braid_llm_cost_usd_total",
      help: "USD spent on priced LLM calls, by model",
      labelNames: ["model"],
      registers: [registry],
    }),
    llmSaved: new Counter({
      name: "braid_llm_saved_usd_total",
      help: "USD that cached LLM answers saved, by model",
      labelNames: ["model"],
      registers: [registry],
    }),
    llmCache: new Counter({
      name: "braid_llm_cache_total",
      help: "LLM cache lookups, by result (hit, miss)",
      labelNames: ["result"],
      registers: [registry],
    }),
    sseStreams: new Gauge({
      name: "braid_sse_streams_open",
      help: "Server-sent event streams open in this process",
      registers: [registry],
    }),
    executionsStarted: new Counter({
      name: "braid_executions_started_total",
      help: "Executions this process started (first claim), by mode",
      labelNames: ["mode"],
      registers: [registry],
    }),
    executionsFinished: new Counter({
      name: "braid_executions_finished_total",
      help: "Executions this process finished, by final status and mode",
      labelNames: ["status", "mode"],
      registers: [registry],
    }),
    claimLatency: new Histogram({
      name: "braid_claim_latency_seconds",
      help: "Time a queued execution waited between becoming due and being claimed",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
  const fromDb = <T extends Record<string, unknown>>(text: ReturnType<typeof sql>) =>
    metrics.database ? query<T>(metrics.database, text) : Promise.resolve([] as T[]);
  new Gauge({
    name: "braid_queue_depth",
    help: "Queued executions ready to run (read from the database: the same in every process)",
    registers: [registry],
    async collect() {
      const [row] = await fromDb<{ n: number }>(
        sql`select count(*)::int as n from executions where status = 'queued' and run_after <= now()`,
      );
      this.set(Number(row?.n ?? 0));
    },
  });
  new Gauge({
    name: "braid_queue_oldest_age_seconds",
    help: "Age of the oldest queued execution ready to run (0 when none)",
    registers: [registry],
    async collect() {
      const [row] = await fromDb<{ s: number | null }>(
        sql`select extract(epoch from now() - min(created_at))::float8 as s
            from executions where status = 'queued' and run_after <= now()`,
      );
      this.set(Number(row?.s ?? 0));
    },
  });
  new Gauge({
    name: "braid_executions",
    help: "Executions in the database by status and mode (waiting: parked on a wait node)",
    labelNames: ["status", "mode"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const status of ["queued", "running", "paused", "waiting"])
        this.set({ status, mode: "queued" }, 0);
      const rows = await fromDb<{ status: string; mode: string; n: number }>(
        sql`select status, mode, count(*)::int as n from executions group by status, mode`,
      );
      for (const r of rows) this.set({ status: r.status, mode: r.mode }, Number(r.n));
    },
  });
  new Gauge({
    name: "braid_waiting_executions",
    help: "Executions waiting (on a wait node or an approval)",
    registers: [registry],
    async collect() {
      const [row] = await fromDb<{ n: number }>(
        sql`select count(*)::int as n from executions where status = 'waiting'`,
      );
      this.set(Number(row?.n ?? 0));
    },
  });
  holder[KEY] = metrics;
  return metrics;
}

/** Lets the scrape-time gauges read the queue from `db`. */
export function bindMetricsDatabase(db: Db): void {
  getMetrics().database = db;
}

/** Records one answered LLM call. */
export function recordLlmCall(result: LlmResult): void {
  const m = getMetrics();
  const model = result.model;
  m.llmCalls.inc({ model, cached: String(result.cached) });
  m.llmCache.inc({ result: result.cached ? "hit" : "miss" });
  if (result.cached) {
    if (typeof result.savedUsd === "number") m.llmSaved.inc({ model }, result.savedUsd);
    return;
  }
  m.llmTokens.inc({ model, kind: "prompt" }, result.usage.promptTokens);
  m.llmTokens.inc({ model, kind: "completion" }, result.usage.completionTokens);
  if (typeof result.costUsd === "number") m.llmCost.inc({ model }, result.costUsd);
}

/** Records a runner's claim: a first claim starts the execution; a queued one observes its wait. */
export function recordClaim(claim: { claims: number; mode?: string; waitedMs?: number | null }): void {
  const m = getMetrics();
  if (claim.claims === 1) m.executionsStarted.inc({ mode: claim.mode ?? "unknown" });
  if (typeof claim.waitedMs === "number") m.claimLatency.observe(Math.max(0, claim.waitedMs) / 1000);
}

/** Records an execution's final status (succeeded, failed, cancelled). */
export function recordFinish(status: string, mode: string | undefined): void {
  getMetrics().executionsFinished.inc({ status, mode: mode ?? "unknown" });
}

/** An attempt tracer that feeds the node duration histogram and the retry counter. */
export function createMetricsTracer(): AttemptTracer {
  const m = getMetrics();
  return {
    startAttempt(info) {
      if (info.attempt > 1) m.nodeRetries.inc({ type: info.type });
      const started = performance.now();
      return {
        end(outcome) {
          m.nodeDuration.observe(
            { type: info.type, status: outcome.status },
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };
}

/** Combines tracers (metrics and traces); undefined entries are skipped. */
export function combineTracers(...tracers: (AttemptTracer | undefined)[]): AttemptTracer | undefined {
  const list = tracers.filter((t): t is AttemptTracer => t !== undefined);
  if (list.length <= 1) return list[0];
  return {
    startAttempt(info) {
      const spans = list.map((t) => t.startAttempt(info));
      return {
        end(outcome) {
          for (const s of spans) s?.end(outcome);
        },
        get traceparent() {
          for (const s of spans) if (s?.traceparent) return s.traceparent;
          return undefined;
        },
      };
    },
  };
}
