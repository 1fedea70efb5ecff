import { z } from "zod";
import { RunMode, WorkflowDefinition } from "@/lib/workflow/schema";

/*
 * The schemas of the HTTP API in one place. Request schemas are the ones the routes (or the services
 * they call) parse with; response schemas describe what the routes answer. Both feed the OpenAPI
 * document (lib/api/openapi.ts), so what is published is what is checked.
 */

export { SingleNodeRunRequest } from "@/lib/runs/run-single-node";
export { RunRequest } from "@/lib/runs/start-run";
export { WorkflowDefinition };

/** The body of `PUT /api/secrets/:name`. */
export const SetSecretRequest = z.strictObject({ value: z.string() });

/** The body of `POST /api/workflows/:id/webhooks`. */
/** A webhook's own rate limit, or `null` for the instance's default. */
export const WebhookRateLimit = z
  .strictObject({
    max: z.int().min(1).max(1_000_000),
    windowSeconds: z.int().min(1).max(86_400),
  })
  .nullable();
export type WebhookRateLimit = z.infer<typeof WebhookRateLimit>;
export const CreateWebhookRequest = z.strictObject({
  triggerId: z.string().min(1).max(64),
  rateLimit: WebhookRateLimit.optional(),
});
export const UpdateWebhookRequest = z.strictObject({ rateLimit: WebhookRateLimit });

/** The query of `GET /api/workflows/:id/executions`. */
export const HistoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  before: z.string().min(1).max(100).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
});

/** The JSON body of `POST /api/auth/login` (a form post with the same fields works too). */
export const LoginRequest = z.object({
  password: z.string(),
  next: z.string().optional().describe("Where to go after signing in; only a local path is followed."),
});

/** One problem with a request, `path` naming the field (`nodes[0].config.url`). */
export const ValidationIssue = z.object({ path: z.string(), code: z.string(), message: z.string() });

/** The JSON error body every route answers a 4xx/5xx with (SPEC §3). */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(ValidationIssue).optional() }),
});

const IsoTime = z.string().describe("ISO 8601 time");
const ExecutionStatus = z.enum(["queued", "running", "paused", "succeeded", "failed", "cancelled"]);
const NodeStatus = z.enum(["pending", "running", "succeeded", "failed", "skipped", "cancelled"]);
const NodeError = z.object({ message: z.string(), code: z.string().optional() }).loose();
const ExecutionMode = z.enum(["immediate", "queued"]);

/** A stored workflow (`GET /api/workflows/:id`). */
export const WorkflowRecord = z.object({
  id: z.string(),
  name: z.string(),
  definition: WorkflowDefinition,
  version: z.int(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

/** `GET /api/workflows`. */
export const WorkflowList = z.object({
  workflows: z.array(z.object({ id: z.string(), name: z.string(), nodeCount: z.int(), updatedAt: IsoTime })),
});

/** The answer to `POST /api/workflows/:id/run` and to an incoming webhook. */
export const RunResponse = z.object({
  executionId: z.string(),
  status: ExecutionStatus,
  mode: ExecutionMode,
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: z.unknown().optional(),
  nodes: z.record(z.string(), z.unknown()).optional().describe("Per-node checkpoints"),
  handedOff: z.boolean().optional().describe("An immediate run that went over budget and was queued"),
  complexity: z.object({ score: z.number(), reasons: z.array(z.string()) }).optional(),
  deduplicated: z.boolean().optional().describe("The idempotency key matched an earlier execution"),
});

/** The answer to `POST /api/workflows/:id/nodes/:nodeId/run`. */
export const SingleNodeRunResponse = z.object({
  nodeId: z.string(),
  executionId: z.string(),
  status: NodeStatus,
  output: z.unknown(),
  error: NodeError.nullable(),
  durationMs: z.number(),
  cached: z.boolean(),
  logs: z
    .array(z.object({ at: IsoTime, level: z.enum(["debug", "info", "warn", "error"]), message: z.string() }))
    .describe("The node's log lines: retries, warnings, a code node's console output"),
});

/** One execution with per-node detail and logs (`GET /api/executions/:id`, `GET /api/share/:token`). */
export const ExecutionDetail = z.object({
  id: z.string(),
  workflowId: z.string(),
  status: ExecutionStatus,
  mode: ExecutionMode,
  inputs: z.unknown(),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  error: NodeError.extend({ nodeId: z.string().optional() }).nullable(),
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
  durationMs: z.number().nullable(),
  progress: z.object({ finished: z.int(), total: z.int() }),
  tags: z.array(z.string()),
  triggerId: z.string().nullable(),
  nodeId: z.string().nullable().describe("Set for single-node runs"),
  handedOff: z.boolean(),
  nodes: z.record(
    z.string(),
    z.object({
      status: NodeStatus,
      attempts: z.int(),
      startedAt: IsoTime.nullable(),
      finishedAt: IsoTime.nullable(),
      durationMs: z.number().nullable(),
      input: z.unknown(),
      output: z.unknown(),
      error: NodeError.nullable(),
      cached: z.boolean(),
      failedItems: z.array(z.int()).optional().describe("A top-level loop: indexes of its failed items"),
    }),
  ),
  logs: z.array(
    z.object({
      at: IsoTime,
      nodeId: z.string().optional(),
      level: z.enum(["debug", "info", "warn", "error"]),
      message: z.string(),
    }),
  ),
  definition: WorkflowDefinition,
  eventSeq: z.int().describe("Last event sequence number written: an SSE client resumes after it"),
});

/** `GET /api/workflows/:id/executions`. */
export const ExecutionList = z.object({
  executions: z.array(
    z.object({
      id: z.string(),
      status: ExecutionStatus,
      mode: ExecutionMode,
      startedAt: IsoTime.nullable(),
      finishedAt: IsoTime.nullable(),
      durationMs: z.number().nullable(),
      nodeId: z.string().optional(),
      tags: z.array(z.string()),
      createdAt: IsoTime,
    }),
  ),
});

/** The answer to cancel, pause, resume and retry. */
export const ControlResponse = z.object({
  executionId: z.string(),
  status: ExecutionStatus,
  control: z.enum(["cancel", "pause"]).nullable().describe("A request the runner has yet to honour"),
});

/** `POST /api/executions/:id/share`. */
export const ShareLink = z.object({ url: z.string() });

/** A trigger's incoming webhook. */
export const Webhook = z.object({
  triggerId: z.string(),
  url: z.string(),
  rateLimit: z.object({ max: z.int(), windowSeconds: z.int(), custom: z.boolean() }),
  createdAt: IsoTime,
});

/** `GET /api/workflows/:id/webhooks`. */
export const WebhookList = z.object({ webhooks: z.array(Webhook) });

/** `GET /api/secrets`: names and where they come from, never values. */
export const SecretList = z.object({
  secrets: z.array(
    z.object({
      name: z.string(),
      source: z.enum(["env", "stored"]),
      updatedAt: IsoTime.optional(),
      overridesEnv: z.boolean().optional(),
    }),
  ),
  storeAvailable: z.boolean(),
});

/** `GET|POST /api/cron/drain`. */
export const DrainResponse = z.object({ claimed: z.int(), finished: z.int(), requeued: z.int() });

/** `{ ok: true }` answers (sign-in and sign-out). */
export const OkResponse = z.object({ ok: z.literal(true), next: z.string().optional() });

/** A run mode, as the `?mode=` query of an incoming webhook. */
export const WebhookQuery = z.object({ mode: RunMode.optional() });

/** The body of `POST /api/executions/:id/rerun`. */
export const RerunRequest = z.strictObject({
  fromNodeId: z.string().min(1).max(64),
  version: z.enum(["original", "latest"]).optional(),
});
export type RerunRequest = z.infer<typeof RerunRequest>;

/** The answer to a rerun (202: the new execution is queued). */
export const RerunResponse = z.object({
  executionId: z.string(),
  sourceExecutionId: z.string(),
  status: z.literal("queued"),
  workflowVersion: z.int(),
  reused: z.array(z.string()).describe("Nodes whose outputs were copied from the source"),
  rerun: z.array(z.string()).describe("Nodes that run again"),
});

/** Most executions one bulk retry may re-queue. */
export const BULK_RETRY_MAX = 1000;

/** The body of `POST /api/workflows/:id/executions/retry`. */
export const BulkRetryRequest = z.strictObject({
  status: z.enum(["failed", "cancelled"]).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  tag: z.string().min(1).max(100).optional(),
  limit: z.int().min(1).max(BULK_RETRY_MAX).optional(),
  /** Retry exactly these executions (the history page's selection); the other filters still apply. */
  ids: z.array(z.string().min(1).max(200)).min(1).max(BULK_RETRY_MAX).optional(),
});
export type BulkRetryRequest = z.infer<typeof BulkRetryRequest>;

export const BulkRetryResponse = z.object({
  retried: z.array(z.string()),
  deduplicated: z.boolean().optional(),
});

/** `?limit=&before=` of the versions list. */
export const VersionsQuery = z.object({
  limit: z.int().min(1).max(200).optional(),
  before: z.int().min(1).optional().describe("Versions older than this number"),
});

/** One immutable version of a workflow. */
export const WorkflowVersion = z.object({
  workflowId: z.string(),
  version: z.int(),
  definition: z.unknown(),
  createdBy: z.string(),
  message: z.string().nullable().optional(),
  createdAt: IsoTime,
});
export const WorkflowVersionList = z.object({
  versions: z.array(WorkflowVersion.omit({ definition: true })),
  next: z.int().nullable().optional(),
});

/** The body nodes of one loop item (`GET /api/executions/:id/iterations/:path`). */
export const ExecutionIteration = z.object({
  iteration: z.array(z.int()).describe("The item index path, e.g. [3] or [3, 0] when nested"),
  nodes: z.record(z.string(), z.unknown()).describe("Per body node: the same detail as an execution's nodes"),
});
