import { sql } from "drizzle-orm";
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Stored workflows. `version` bumps on every update. */
export const workflows = pgTable(
  "workflows",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    definition: jsonb("definition").$type<WorkflowDefinition>().notNull(),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("workflows_updated_idx").on(t.updatedAt.desc())],
);

/**
 * Every saved definition of a workflow, immutable: one row per `workflows.version`, written in the
 * same transaction as the save (create, PUT, builder, import, restore). `createdBy` is `"session"`
 * for a signed-in browser (server actions) and `"api"` for API calls.
 */
export const workflowVersions = pgTable(
  "workflow_versions",
  {
    workflowId: text("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    definition: jsonb("definition").$type<WorkflowDefinition>().notNull(),
    createdBy: text("created_by").notNull().default("api"),
    message: text("message"),
    /** Set when this version was made by restoring an earlier one. */
    restoredFrom: integer("restored_from"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.version] })],
);

/**
 * One execution of a workflow (or of a single node when `nodeId` is set).
 *
 * Lease and fencing: a runner owns a `running` execution while `lease_expires_at` is in the
 * future and keeps it alive by heartbeat. Every claim increments `fence`; every write a runner
 * makes is conditional on the fence it claimed with, so a runner that lost its lease (stalled,
 * then resumed) changes nothing. `control` carries a requested cancel or pause to whichever
 * process holds the run.
 */
export const executions = pgTable(
  "executions",
  {
    id: text("id").primaryKey(),
    workflowId: text("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    workflowVersion: integer("workflow_version").notNull(),
    /** A re-run (`POST /api/executions/:id/rerun`): the execution whose checkpoints it reused. */
    sourceExecutionId: text("source_execution_id"),
    /**
     * Bulk retry claim: the request key of the last bulk retry that re-queued this execution.
     * A conditional update on it makes each execution retried once per request.
     */
    retryKey: text("retry_key"),
    /** queued | running | paused | succeeded | failed | cancelled */
    status: text("status").notNull(),
    /** immediate | queued (what actually ran); `requestedMode` keeps what the caller asked. */
    mode: text("mode").notNull(),
    requestedMode: text("requested_mode").notNull().default("auto"),
    /** Set for single-node runs. */
    nodeId: text("node_id"),
    triggerId: text("trigger_id"),
    definition: jsonb("definition").$type<WorkflowDefinition>().notNull(),
    inputs: jsonb("inputs").notNull().default({}),
    outputs: jsonb("outputs"),
    error: jsonb("error").$type<{ message: string; nodeId?: string; code?: string }>(),
    complexity: jsonb("complexity"),
    priority: integer("priority").notNull().default(0),
    tags: jsonb("tags").$type<string[]>().notNull().default([]),
    timeoutMs: integer("timeout_ms"),
    idempotencyKey: text("idempotency_key"),
    shareToken: text("share_token"),
    handedOff: boolean("handed_off").notNull().default(false),
    /** Requested control: cancel | pause (cleared when honoured). */
    control: text("control"),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: ts("lease_expires_at"),
    fence: integer("fence").notNull().default(0),
    /** Times this execution was claimed by a runner. */
    claims: integer("claims").notNull().default(0),
    runAfter: ts("run_after").notNull().defaultNow(),
    /**
     * Running time of earlier stretches (ms): `settings.timeoutMs` spans hand-offs, pauses and
     * crashes this way. Heartbeats and releases add the time since `segmentStartedAt`; retry resets it.
     */
    runMs: integer("run_ms").notNull().default(0),
    /** Start of the current running stretch (set by each claim and heartbeat). */
    segmentStartedAt: ts("segment_started_at").notNull().defaultNow(),
    /** Last event sequence number written (events are numbered 1, 2, 3… per execution). */
    eventSeq: integer("event_seq").notNull().default(0),
    createdAt: createdAt(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    /** The run request's LLM budget, overriding the workflow's `settings.budget`. */
    budget: jsonb("budget").$type<{ maxTokens?: number; maxCostUsd?: number }>(),
    /** LLM spend so far, every attempt counted (hand-offs, resumes and retries add to it). */
    llmPromptTokens: integer("llm_prompt_tokens").notNull().default(0),
    llmCompletionTokens: integer("llm_completion_tokens").notNull().default(0),
    /** USD of priced calls (calls to unpriced models add tokens only). */
    llmCostUsd: doublePrecision("llm_cost_usd").notNull().default(0),
    /** USD that cached answers saved. */
    llmSavedUsd: doublePrecision("llm_saved_usd").notNull().default(0),
    /**
     * W3C `traceparent` every runner's span continues (one trace across hand-offs and resumes): the
     * run or webhook request's, else the first runner's span.
     */
    traceContext: text("trace_context"),
    /** A child execution (a `workflow` node's): the parent execution and the node that started it. */
    parentExecutionId: text("parent_execution_id"),
    parentNodeId: text("parent_node_id"),
    /**
     * The parent node's journal key and attempt (`w#3@1`): a parent starts one child per node,
     * iteration and attempt, so a resumed parent finds its child instead of starting another.
     */
    parentKey: text("parent_key"),
    /** Nesting depth: 0 for a top-level execution, its parent's + 1 for a child. */
    depth: integer("depth").notNull().default(0),
  },
  (t) => [
    uniqueIndex("executions_idempotency_idx")
      .on(t.workflowId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    uniqueIndex("executions_share_token_idx").on(t.shareToken).where(sql`${t.shareToken} is not null`),
    index("executions_queue_idx")
      .on(t.priority.desc(), t.runAfter, t.createdAt)
      .where(sql`${t.status} = 'queued'`),
    index("executions_lease_idx").on(t.leaseExpiresAt).where(sql`${t.status} = 'running'`),
    index("executions_history_idx").on(t.workflowId, t.createdAt.desc()),
    index("executions_finished_idx").on(t.finishedAt),
    index("executions_retry_key_idx").on(t.workflowId, t.retryKey).where(sql`${t.retryKey} is not null`),
    uniqueIndex("executions_parent_idx")
      .on(t.parentExecutionId, t.parentKey)
      .where(sql`${t.parentExecutionId} is not null`),
  ],
);

/**
 * Durable waits: one row per suspended node (a `wait` node, or a `workflow` node waiting on its
 * child) and execution, keyed by the node's journal key (`w`, `w#3` in a loop). A resume (token,
 * correlation key, timer, timeout, child end) moves it `pending → resolved` with a conditional
 * update, so exactly one wins; the node, run again, reads the resolution and marks it `done`. When
 * the execution ends, pending waits become `cancelled` (a cancel) or `revoked`.
 *
 * The resume token is derived (HMAC of the execution and key under the instance key), so the row
 * stores only its SHA-256 (`tokenHash`).
 */
export const waits = pgTable(
  "waits",
  {
    executionId: text("execution_id")
      .notNull()
      .references(() => executions.id, { onDelete: "cascade" }),
    nodeKey: text("node_key").notNull(),
    workflowId: text("workflow_id").notNull(),
    nodeId: text("node_id").notNull(),
    /** time | webhook | approval | execution */
    kind: text("kind").notNull(),
    /** pending | resolved | done | cancelled | revoked */
    status: text("status").notNull().default("pending"),
    tokenHash: text("token_hash").notNull(),
    /** When a timer (`dueBy`: timer) or timeout (`dueBy`: timeout) resumes it. */
    wakeAt: ts("wake_at"),
    wakeBy: text("wake_by"),
    correlationKey: text("correlation_key"),
    childExecutionId: text("child_execution_id"),
    /** The approval form: title, message, fields and the data shown. */
    approval: jsonb("approval"),
    /** How it was resumed: the wait node's output. */
    resolution: jsonb("resolution"),
    createdAt: createdAt(),
    resolvedAt: ts("resolved_at"),
  },
  (t) => [
    primaryKey({ columns: [t.executionId, t.nodeKey] }),
    uniqueIndex("waits_token_idx").on(t.tokenHash),
    index("waits_key_idx").on(t.workflowId, t.correlationKey).where(sql`${t.status} = 'pending'`),
    index("waits_wake_idx").on(t.wakeAt).where(sql`${t.status} = 'pending'`),
    index("waits_child_idx").on(t.childExecutionId).where(sql`${t.status} = 'pending'`),
    // Resolved and not yet consumed: few rows, read by the drain's sweep for lost requeues.
    index("waits_resolved_idx").on(t.executionId).where(sql`${t.status} = 'resolved'`),
  ],
);

/** Instance-wide keys made on first use (the wait-token key when APP_SECRET is unset). */
export const instanceKeys = pgTable("instance_keys", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: createdAt(),
});

/** One row per execution and node: the node's checkpoint. */
export const nodeRuns = pgTable(
  "node_runs",
  {
    executionId: text("execution_id")
      .notNull()
      .references(() => executions.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    /** pending | running | succeeded | failed | skipped | cancelled */
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    input: jsonb("input"),
    output: jsonb("output"),
    error: jsonb("error").$type<{ message: string; code?: string }>(),
    cached: boolean("cached").notNull().default(false),
    /** Copied from a source execution by a re-run, not run in this one. */
    reused: boolean("reused").notNull().default(false),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
    durationMs: integer("duration_ms"),
    /** The source handle a succeeded `condition` took (`true`/`false`), so a resume routes as before. */
    handle: text("handle"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.nodeId] })],
);

/** Every event of an execution, numbered per execution, for SSE replay. */
export const executionEvents = pgTable(
  "execution_events",
  {
    executionId: text("execution_id")
      .notNull()
      .references(() => executions.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    /** node | log | execution */
    type: text("type").notNull(),
    payload: jsonb("payload").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.seq] })],
);

/** The LLM response cache when Upstash is not configured. */
export const llmCache = pgTable(
  "llm_cache",
  {
    key: text("key").primaryKey(),
    value: jsonb("value").notNull(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("llm_cache_expires_idx").on(t.expiresAt)],
);

/** Short-lived cross-process locks (LLM single-flight, …). */
export const locks = pgTable("locks", {
  key: text("key").primaryKey(),
  owner: text("owner").notNull(),
  expiresAt: ts("expires_at").notNull(),
});

/** Secrets referenced as `{{ secrets.NAME }}`, encrypted at rest (AES-256-GCM). */
export const secrets = pgTable("secrets", {
  name: text("name").primaryKey(),
  ciphertext: text("ciphertext").notNull(),
  createdAt: createdAt(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/**
 * Incoming webhooks: a secret URL token (`POST /api/webhooks/:token`) that starts a run of one
 * trigger of a workflow with the request body as its inputs. One per trigger; revoking deletes it.
 */
export const webhooks = pgTable(
  "webhooks",
  {
    token: text("token").primaryKey(),
    workflowId: text("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    triggerId: text("trigger_id").notNull(),
    /** Calls allowed per window; null: WEBHOOK_RATE_LIMIT. */
    rateLimit: integer("rate_limit"),
    /** The window's length in seconds; null: WEBHOOK_RATE_WINDOW_SECONDS. */
    rateWindowSeconds: integer("rate_window_seconds"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("webhooks_trigger_idx").on(t.workflowId, t.triggerId)],
);

/**
 * Calls per webhook token per fixed window (the window's start, from the database clock), so every
 * process shares one count. Past windows are deleted as new ones open.
 */
export const webhookHits = pgTable(
  "webhook_hits",
  {
    token: text("token")
      .notNull()
      .references(() => webhooks.token, { onDelete: "cascade" }),
    windowStart: ts("window_start").notNull(),
    hits: integer("hits").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.token, t.windowStart] })],
);

/**
 * Triggers that run on a schedule, mirrored from the saved definitions (rewritten on every save).
 * `nextRunAt` is the next slot; drains fire due slots and move it on.
 */
export const schedules = pgTable(
  "schedules",
  {
    workflowId: text("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    triggerId: text("trigger_id").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone"),
    nextRunAt: ts("next_run_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.triggerId] }), index("schedules_due_idx").on(t.nextRunAt)],
);

/** LLM prices set on the settings page (USD per million tokens), over the defaults and `LLM_PRICES`. */
export const llmPrices = pgTable("llm_prices", {
  model: text("model").primaryKey(),
  inputPerMillion: doublePrecision("input_per_million").notNull(),
  outputPerMillion: doublePrecision("output_per_million").notNull(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

export type WorkflowRow = typeof workflows.$inferSelect;
export type WorkflowVersionRow = typeof workflowVersions.$inferSelect;
export type ExecutionRow = typeof executions.$inferSelect;
export type NodeRunRow = typeof nodeRuns.$inferSelect;
export type ExecutionEventRow = typeof executionEvents.$inferSelect;

/**
 * Sessions ended by logout before they expired, by the session's nonce (the signed cookie's third
 * part). The gate refuses a cookie listed here in every process; rows past `expiresAt` (when the
 * cookie would have expired anyway) are deleted at the next logout.
 */
export const revokedSessions = pgTable(
  "revoked_sessions",
  {
    id: text("id").primaryKey(),
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [index("revoked_sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Failed sign-ins per client key (socket address, or the client a trusted proxy forwards), and the
 * global count under the key `*`, shared by every process. `since` starts the key's window; rows
 * whose window ended are deleted as the global window turns over.
 */
export const loginFailures = pgTable(
  "login_failures",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull().default(0),
    since: ts("since").notNull(),
    last: ts("last").notNull(),
  },
  (t) => [index("login_failures_since_idx").on(t.since)],
);
