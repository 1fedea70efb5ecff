import { z } from "zod";
import * as S from "./schemas";

/** An HTTP method a route module exports, lower-cased as OpenAPI writes it. */
export type ApiMethod = "get" | "post" | "put" | "patch" | "delete";

/** One documented answer: a description, and the JSON body's schema when there is one. */
export interface ApiResponse {
  description: string;
  schema?: z.ZodType;
  /** Defaults to `application/json` when `schema` is set. */
  contentType?: string;
}

/** One operation of the API. Path parameters come from the `{name}` segments of its path. */
export interface ApiOperation {
  summary: string;
  description?: string;
  /** The JSON body, parsed with this very schema by the route or the service it calls. */
  body?: z.ZodType;
  /** The query string, parsed with this schema. */
  query?: z.ZodType;
  responses: Record<number, ApiResponse>;
  /** `none`: no session even when APP_PASSWORD is set (its own credential, or none at all). */
  auth?: "session" | "none" | "cron";
}

const json = (description: string, schema?: z.ZodType): ApiResponse => ({ description, schema });
const empty = (description: string): ApiResponse => ({ description });
const sse: ApiResponse = {
  description: "Server-Sent Events: `snapshot`, then `node`, `log` and `execution` events (docs/events.md)",
  contentType: "text/event-stream",
};

const control = (what: string): ApiOperation => ({
  summary: what,
  responses: { 200: json("The status now", S.ControlResponse), 404: notFoundAnswer, 409: wrongState },
});
const notFoundAnswer = json("Not found", S.ErrorBody);
const wrongState = json("The execution is not in a state that allows this", S.ErrorBody);
const invalid = json("The body or a field is invalid; `issues` name each path", S.ErrorBody);

/**
 * Every route under app/api, by OpenAPI path: one entry per route file, one key per exported method.
 * lib/api/openapi.test.ts fails when a route file has no entry here, or an entry has no route file.
 */
export const API_ROUTES: Record<string, Partial<Record<ApiMethod, ApiOperation>>> = {
  "/api/workflows": {
    get: {
      summary: "List workflows, most recently updated first",
      responses: { 200: json("Workflows", S.WorkflowList) },
    },
    post: {
      summary: "Create a workflow from a definition",
      body: S.WorkflowDefinition,
      responses: { 201: json("The stored workflow", S.WorkflowRecord), 400: invalid, 422: invalid },
    },
  },
  "/api/workflows/{id}": {
    get: {
      summary: "Read a workflow",
      responses: { 200: json("The workflow", S.WorkflowRecord), 404: notFoundAnswer },
    },
    put: {
      summary: "Replace a workflow's definition; bumps `version` (`If-Match: <version>` guards)",
      body: S.WorkflowDefinition,
      responses: {
        200: json("The stored workflow", S.WorkflowRecord),
        404: notFoundAnswer,
        409: json("`If-Match` names another version", S.ErrorBody),
        422: invalid,
      },
    },
    delete: {
      summary: "Delete a workflow and its history",
      responses: { 204: empty("Deleted"), 404: notFoundAnswer },
    },
  },
  "/api/workflows/{id}/run": {
    post: {
      summary: "Run a workflow (auto, immediate or queued)",
      body: S.RunRequest,
      responses: {
        200: json("An immediate run that finished", S.RunResponse),
        202: json("Queued, or an immediate run handed off to the queue", S.RunResponse),
        404: notFoundAnswer,
        422: invalid,
      },
    },
  },
  "/api/workflows/{id}/executions": {
    get: {
      summary: "A workflow's executions, newest first",
      query: S.HistoryQuery,
      responses: { 200: json("Executions", S.ExecutionList), 404: notFoundAnswer, 422: invalid },
    },
  },
  "/api/workflows/{id}/nodes/{nodeId}/run": {
    post: {
      summary: "Run one node with the given input, or its upstream's latest outputs",
      body: S.SingleNodeRunRequest,
      responses: {
        200: json("The node's result", S.SingleNodeRunResponse),
        404: notFoundAnswer,
        422: invalid,
      },
    },
  },
  "/api/workflows/{id}/webhooks": {
    get: {
      summary: "A workflow's webhooks",
      responses: { 200: json("Webhooks", S.WebhookList), 404: notFoundAnswer },
    },
    post: {
      summary: "Create the webhook of a trigger (or return the one it has)",
      body: S.CreateWebhookRequest,
      responses: {
        200: json("The trigger's existing webhook", S.Webhook),
        201: json("A new webhook", S.Webhook),
        404: notFoundAnswer,
        422: invalid,
      },
    },
  },
  "/api/workflows/{id}/webhooks/{triggerId}": {
    patch: {
      summary: "Set a webhook's own rate limit (null: the instance's default)",
      body: S.UpdateWebhookRequest,
      responses: { 200: json("The webhook", S.Webhook), 404: notFoundAnswer, 422: invalid },
    },
    delete: {
      summary: "Revoke a trigger's webhook",
      responses: { 204: empty("Revoked"), 404: notFoundAnswer },
    },
  },
  "/api/webhooks/{token}": {
    post: {
      summary: "An incoming webhook: runs the workflow from its trigger, the body as inputs",
      description: "JSON or form body. `?mode=` picks the run mode. The URL token is the credential.",
      query: S.WebhookQuery,
      auth: "none",
      responses: {
        200: json("An immediate run that finished", S.RunResponse),
        202: json("Queued", S.RunResponse),
        404: notFoundAnswer,
        413: json("Body too large", S.ErrorBody),
      },
    },
  },
  "/api/resume/{token}": {
    post: {
      summary: "Resume the wait node this token belongs to",
      description:
        "No session: the 192-bit token is the credential. An approval takes `{ approved, comment?, data? }` checked against its form; any other wait takes the body as `data`. Tokens are revoked when the execution ends.",
      body: S.ApprovalResumeRequest,
      auth: "none",
      responses: {
        200: json("Resumed; the execution is queued again", S.ResumeResponse),
        404: json("Unknown token, or its execution ended", S.ErrorBody),
        409: json("Already resumed (`error.outcome` says how) or the execution was cancelled", S.ErrorBody),
        422: invalid,
      },
    },
  },
  "/api/workflows/{id}/resume": {
    post: {
      summary: "Resume every execution of this workflow waiting on a correlation key",
      body: S.ResumeByKeyRequest,
      responses: { 200: json("The executions resumed", S.ResumeByKeyResponse), 422: invalid },
    },
  },
  "/api/executions/{id}": {
    get: {
      summary: "One execution with per-node detail and logs",
      responses: { 200: json("The execution", S.ExecutionDetail), 404: notFoundAnswer },
    },
  },
  "/api/executions/{id}/iterations/{path}": {
    get: {
      summary:
        "One loop item: the body nodes checkpointed under an iteration path (`7`, or `3.0` when nested)",
      responses: {
        200: json("The item's body nodes", S.ExecutionIteration),
        400: json("Not an iteration path", S.ErrorBody),
        404: notFoundAnswer,
      },
    },
  },
  "/api/executions/{id}/events": {
    get: {
      summary: "Live events of an execution (`Last-Event-ID` resumes)",
      responses: { 200: sse, 404: notFoundAnswer },
    },
  },
  "/api/metrics": {
    get: {
      summary: "Prometheus metrics of this process (and queue gauges read from the database)",
      description: "Needs a session, or `Authorization: Bearer $METRICS_TOKEN` when it is set.",
      auth: "none",
      responses: {
        200: { description: "Prometheus text exposition format", contentType: "text/plain; version=0.0.4" },
        401: json("No session and no valid token", S.ErrorBody),
      },
    },
  },
  "/api/executions/{id}/rerun": {
    post: {
      summary: "Re-run from a node: a new execution reusing the source's outputs upstream of it",
      body: S.RerunRequest,
      responses: {
        202: json("The new execution, queued", S.RerunResponse),
        404: notFoundAnswer,
        409: json("The source execution has not finished", S.ErrorBody),
        422: invalid,
      },
    },
  },
  "/api/workflows/{id}/executions/retry": {
    post: {
      summary: "Retry matching executions, each exactly once (an Idempotency-Key header repeats the answer)",
      body: S.BulkRetryRequest,
      responses: {
        200: json("The retried executions", S.BulkRetryResponse),
        404: notFoundAnswer,
        422: invalid,
      },
    },
  },
  "/api/workflows/{id}/versions": {
    get: {
      summary: "A workflow's versions, newest first",
      query: S.VersionsQuery,
      responses: { 200: json("Versions", S.WorkflowVersionList), 400: invalid, 404: notFoundAnswer },
    },
  },
  "/api/workflows/{id}/versions/{v}": {
    get: {
      summary: "One version of a workflow",
      responses: { 200: json("The version", S.WorkflowVersion), 404: notFoundAnswer },
    },
  },
  "/api/workflows/{id}/versions/{v}/restore": {
    post: {
      summary: "Make a version the newest one again (nothing is deleted)",
      responses: { 200: json("The workflow", S.WorkflowRecord), 404: notFoundAnswer },
    },
  },
  "/api/executions/{id}/cancel": { post: control("Cancel an execution") },
  "/api/executions/{id}/pause": { post: control("Pause an execution at the next node boundary") },
  "/api/executions/{id}/resume": { post: control("Resume a paused execution") },
  "/api/executions/{id}/retry": { post: control("Retry failed and never-run nodes, reusing succeeded ones") },
  "/api/executions/{id}/share": {
    post: {
      summary: "Create (or return) the read-only link",
      responses: { 200: json("The link", S.ShareLink), 404: notFoundAnswer },
    },
    delete: {
      summary: "Revoke the read-only link",
      responses: { 204: empty("Revoked"), 404: notFoundAnswer },
    },
  },
  "/api/share/{token}": {
    get: {
      summary: "A shared execution, secrets redacted",
      auth: "none",
      responses: { 200: json("The execution", S.ExecutionDetail), 404: notFoundAnswer },
    },
  },
  "/api/share/{token}/iterations/{path}": {
    get: {
      summary: "One loop item of a shared execution, secrets redacted",
      auth: "none",
      responses: {
        200: json("The item's body nodes", S.ExecutionIteration),
        400: json("Not an iteration path", S.ErrorBody),
        404: notFoundAnswer,
      },
    },
  },
  "/api/share/{token}/events": {
    get: {
      summary: "Live events of a shared execution, secrets redacted",
      auth: "none",
      responses: { 200: sse, 404: notFoundAnswer },
    },
  },
  "/api/share/{token}/children/{childId}": {
    get: {
      summary: "A child execution (a sub-workflow's run) of a shared execution, redacted the same way",
      description: "404 unless the child descends from the shared execution.",
      auth: "none",
      responses: { 200: json("The child execution", S.ExecutionDetail), 404: notFoundAnswer },
    },
  },
  "/api/secrets": {
    get: {
      summary: "Secret names and where they come from, never values",
      responses: { 200: json("Secrets", S.SecretList) },
    },
  },
  "/api/secrets/{name}": {
    put: {
      summary: "Store (or replace) a secret, encrypted (needs APP_SECRET)",
      body: S.SetSecretRequest,
      responses: { 204: empty("Stored"), 409: json("No APP_SECRET", S.ErrorBody), 422: invalid },
    },
    delete: {
      summary: "Remove a stored secret",
      responses: {
        204: empty("Removed"),
        404: notFoundAnswer,
        409: json("It comes from the environment", S.ErrorBody),
      },
    },
  },
  "/api/cron/drain": {
    get: drainOperation(),
    post: drainOperation(),
  },
  "/api/auth/login": {
    post: {
      summary: "Sign in with APP_PASSWORD; sets the session cookie",
      description:
        "JSON answers 200/401; a form post (application/x-www-form-urlencoded) is redirected (303).",
      body: S.LoginRequest,
      auth: "none",
      responses: {
        200: json("Signed in", S.OkResponse),
        303: empty("A form post, sent on"),
        401: json("Wrong password", S.ErrorBody),
        409: json("APP_PASSWORD is not set", S.ErrorBody),
        429: json("Too many failed sign-ins", S.ErrorBody),
      },
    },
  },
  "/api/auth/logout": {
    post: {
      summary: "Sign out: revokes the session server-side and clears the cookie",
      auth: "none",
      responses: { 200: json("Signed out", S.OkResponse), 303: empty("A form post, sent on to /login") },
    },
  },
  "/api/openapi.json": {
    get: {
      summary: "This document",
      responses: { 200: { description: "OpenAPI 3.1", contentType: "application/json" } },
    },
  },
};

function drainOperation(): ApiOperation {
  return {
    summary: "Start due schedules, then run queued work within DRAIN_BUDGET_MS",
    auth: "cron",
    responses: {
      200: json("What the drain did", S.DrainResponse),
      401: json("No or wrong CRON_SECRET", S.ErrorBody),
    },
  };
}

/** Names every exported schema of lib/api/schemas.ts, so the document refers to each by name. */
function namedSchemas(): Map<z.ZodType, string> {
  const names = new Map<z.ZodType, string>();
  for (const [name, value] of Object.entries(S)) {
    if (value instanceof z.ZodType) names.set(value, name);
  }
  return names;
}

type JsonSchema = Record<string, unknown>;

/** The OpenAPI 3.1 document of `API_ROUTES`; schemas are zod 4's JSON Schema (draft 2020-12). */
export function buildOpenApiDocument(): Record<string, unknown> {
  const names = namedSchemas();
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    unrepresentable: "any",
    io: "input",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  for (const schema of Object.values(schemas)) delete schema.$schema;

  const ref = (schema: z.ZodType): JsonSchema => {
    const name = names.get(schema);
    if (name) return { $ref: `#/components/schemas/${name}` };
    const inline = z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any", io: "input" });
    delete (inline as JsonSchema).$schema;
    return inline as JsonSchema;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, operations] of Object.entries(API_ROUTES)) {
    const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    paths[path] = {};
    for (const [method, op] of Object.entries(operations) as [ApiMethod, ApiOperation][]) {
      const parameters: unknown[] = [...pathParams];
      if (op.query) {
        const q = z.toJSONSchema(op.query, {
          target: "draft-2020-12",
          unrepresentable: "any",
          io: "input",
        }) as {
          properties?: Record<string, JsonSchema>;
          required?: string[];
        };
        for (const [name, schema] of Object.entries(q.properties ?? {})) {
          parameters.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema });
        }
      }
      const responses: Record<string, unknown> = {};
      for (const [status, answer] of Object.entries(op.responses)) {
        const contentType = answer.contentType ?? (answer.schema ? "application/json" : undefined);
        responses[status] = {
          description: answer.description,
          ...(contentType
            ? { content: { [contentType]: answer.schema ? { schema: ref(answer.schema) } : {} } }
            : {}),
        };
      }
      paths[path][method] = {
        operationId: operationId(method, path),
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        tags: [path.split("/")[2]],
        ...(parameters.length ? { parameters } : {}),
        ...(op.body
          ? { requestBody: { required: true, content: { "application/json": { schema: ref(op.body) } } } }
          : {}),
        responses,
        security: op.auth === "none" ? [] : op.auth === "cron" ? [{ cronSecret: [] }] : [{ session: [] }, {}],
      };
    }
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Braid HTTP API",
      version: "1",
      description:
        "Every route of a Braid instance. When APP_PASSWORD is set, routes marked with the `session` scheme need the " +
        "session cookie from POST /api/auth/login; without APP_PASSWORD they are open. Errors are " +
        "`{ error: { code, message, issues? } }` with a 4xx status. See docs/api.md.",
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        session: {
          type: "apiKey",
          in: "cookie",
          name: "braid_session",
          description: "Needed only when APP_PASSWORD is set",
        },
        cronSecret: { type: "http", scheme: "bearer", description: "CRON_SECRET" },
      },
    },
  };
}

/** `post /api/workflows/{id}/run` → `postWorkflowsIdRun`. */
function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, "")
    .split(/[/{}.\-_]+/)
    .filter(Boolean);
  return method + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}
