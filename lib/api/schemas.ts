import { z } from "zod";
import { ErrorBody, ValidationIssue } from "@/lib/contract/errors";
import {
  ExecutionDetail as ContractExecutionDetail,
  ExecutionSummary,
  RunAnswer,
  SingleNodeAnswer,
} from "@/lib/contract/execution";
import { ExecutionStatus } from "@/lib/contract/status";
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
  /** `true`: only executions no `workflow` node started (no parent execution). */
  topLevel: z.stringbool().optional(),
  /** Only executions of this status (e.g. `waiting`). */
  status: ExecutionStatus.optional(),
});

/** The JSON body of `POST /api/auth/login` (a form post with the same fields works too). */
export const LoginRequest = z.object({
  password: z.string(),
  next: z.string().optional().describe("Where to go after signing in; only a local path is followed."),
});

export { ErrorBody, ValidationIssue };

const IsoTime = z.string().describe("ISO 8601 time");

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
export const RunResponse = RunAnswer;

/** The answer to `POST /api/workflows/:id/nodes/:nodeId/run`. */
export const SingleNodeRunResponse = SingleNodeAnswer;

/** One execution with per-node detail and logs (`GET /api/executions/:id`, `GET /api/share/:token`). */
export const ExecutionDetail = ContractExecutionDetail.extend({ definition: WorkflowDefinition });

/** `GET /api/workflows/:id/executions`. */
export const ExecutionList = z.object({ executions: z.array(ExecutionSummary) });

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

/** `POST /api/workflows/:id/resume`: the correlation key and the data the waits receive. */
export const ResumeByKeyRequest = z.strictObject({
  key: z.string().min(1).max(500),
  data: z.unknown().optional(),
});
export const ResumeByKeyResponse = z.object({ resumed: z.array(z.string()) });

/** `POST /api/resume/:token` of an approval: approve or reject, a comment, the form's values. */
export { ApprovalAnswer as ApprovalResumeRequest } from "@/lib/nodes/wait/approval";
export const ResumeResponse = z.object({
  executionId: z.string(),
  nodeId: z.string(),
  resumed: z.literal(true),
  by: z.string(),
});
