import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { AppError, assertStorable, notFound, parseOrThrow, readBodyText, readJson } from "@/lib/api/errors";
import { CreateWebhookRequest, UpdateWebhookRequest, type WebhookRateLimit } from "@/lib/api/schemas";
import type { Database, Db } from "@/lib/db/client";
import { webhooks } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { createUrlToken, isUrlToken } from "@/lib/security/url-token";
import { countWebhookCall } from "@/lib/security/webhook-limiter";
import { RunMode } from "@/lib/workflow/schema";
import { getWorkflowOrThrow } from "@/lib/workflow-store/service";
import { type StartRunResult, startRun } from "./start-run";

const MAX_WEBHOOK_BODY = 1024 * 1024;

/** A workflow's webhook, as the API and the builder show it. */
export interface Webhook {
  triggerId: string;
  url: string;
  /** Calls accepted per window; `custom: false` when the instance's default applies. */
  rateLimit: { max: number; windowSeconds: number; custom: boolean };
  createdAt: string;
}

const limitOf = (row: typeof webhooks.$inferSelect) => {
  const env = getEnv();
  return {
    max: row.rateLimit ?? env.WEBHOOK_RATE_LIMIT,
    windowSeconds: row.rateWindowSeconds ?? env.WEBHOOK_RATE_WINDOW_SECONDS,
    custom: row.rateLimit !== null,
  };
};

const limitColumns = (limit: WebhookRateLimit) => ({
  rateLimit: limit?.max ?? null,
  rateWindowSeconds: limit?.windowSeconds ?? null,
});

const toWebhook = (row: typeof webhooks.$inferSelect): Webhook => ({
  triggerId: row.triggerId,
  url: `/api/webhooks/${row.token}`,
  rateLimit: limitOf(row),
  createdAt: row.createdAt.toISOString(),
});

/** The webhooks of a workflow, one per trigger that has one. */
export async function listWebhooks(db: Db, workflowId: string): Promise<Webhook[]> {
  await getWorkflowOrThrow(db, workflowId);
  const rows = await db
    .select()
    .from(webhooks)
    .where(eq(webhooks.workflowId, workflowId))
    .orderBy(asc(webhooks.createdAt));
  return rows.map(toWebhook);
}

/**
 * Gives a trigger of the stored workflow a webhook URL, or returns the one it already has
 * (`created: false`). The trigger must exist in the saved definition.
 */
export async function createWebhook(
  db: Db,
  workflowId: string,
  body: unknown,
): Promise<{ webhook: Webhook; created: boolean }> {
  const { triggerId, rateLimit } = parseOrThrow(CreateWebhookRequest, body);
  const workflow = await getWorkflowOrThrow(db, workflowId);
  if (!workflow.definition.nodes.some((n) => n.id === triggerId && n.type === "trigger")) {
    const message = `no trigger "${triggerId}" in the saved workflow`;
    throw new AppError(422, "invalid_request", `triggerId: ${message}`, [
      { path: "triggerId", code: "unknown_trigger", message },
    ]);
  }
  const inserted = await db
    .insert(webhooks)
    .values({
      token: createUrlToken(),
      workflowId,
      triggerId,
      ...(rateLimit === undefined ? {} : limitColumns(rateLimit)),
    })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) return { webhook: toWebhook(inserted[0]), created: true };
  const [existing] =
    rateLimit === undefined
      ? await db
          .select()
          .from(webhooks)
          .where(and(eq(webhooks.workflowId, workflowId), eq(webhooks.triggerId, triggerId)))
      : await db
          .update(webhooks)
          .set(limitColumns(rateLimit))
          .where(and(eq(webhooks.workflowId, workflowId), eq(webhooks.triggerId, triggerId)))
          .returning();
  if (!existing) throw notFound(`workflow "${workflowId}"`);
  return { webhook: toWebhook(existing), created: false };
}

/** Sets a webhook's rate limit (`{ rateLimit: { max, windowSeconds } }`, or `null` for the default). */
export async function updateWebhook(
  db: Db,
  workflowId: string,
  triggerId: string,
  body: unknown,
): Promise<Webhook> {
  const { rateLimit } = parseOrThrow(UpdateWebhookRequest, body);
  const [row] = await db
    .update(webhooks)
    .set(limitColumns(rateLimit))
    .where(and(eq(webhooks.workflowId, workflowId), eq(webhooks.triggerId, triggerId)))
    .returning();
  if (!row) throw notFound(`webhook of trigger "${triggerId}"`);
  return toWebhook(row);
}

/**
 * Counts one call of a webhook in its current fixed window (`countWebhookCall`: Redis when
 * configured, else Postgres; shared by every process) and throws 429 with `Retry-After` past the limit.
 */
export async function takeWebhookCall(db: Db, row: typeof webhooks.$inferSelect): Promise<void> {
  const { max, windowSeconds } = limitOf(row);
  const hit = await countWebhookCall(db, row.token, windowSeconds);
  if (hit.hits > max) {
    const retryAfter = hit.retryAfterSeconds;
    throw new AppError(
      429,
      "rate_limited",
      `this webhook accepts ${max} calls per ${windowSeconds} s; retry in ${retryAfter} s`,
      undefined,
      { "retry-after": String(retryAfter) },
    );
  }
}

/** Revokes a trigger's webhook: its URL answers 404 from then on. */
export async function revokeWebhook(db: Db, workflowId: string, triggerId: string): Promise<void> {
  const rows = await db
    .delete(webhooks)
    .where(and(eq(webhooks.workflowId, workflowId), eq(webhooks.triggerId, triggerId)))
    .returning({ token: webhooks.token });
  if (rows.length === 0) throw notFound(`webhook of trigger "${triggerId}"`);
}

/**
 * Handles `POST /api/webhooks/:token`: the body (a JSON object, or form fields) becomes the run's
 * inputs, which the trigger outputs. `?mode=` picks the run mode (default: the workflow's, else
 * auto) and an `Idempotency-Key` header makes retried deliveries start one execution. Answers as
 * `POST /api/workflows/:id/run` does. Unknown and revoked tokens are 404 before the body is read.
 */
export async function runWebhook(database: Database, token: string, req: Request): Promise<StartRunResult> {
  const [hook] = isUrlToken(token)
    ? await database.db.select().from(webhooks).where(eq(webhooks.token, token))
    : [];
  if (!hook) throw notFound("webhook");
  await takeWebhookCall(database.db, hook);
  const inputs = await readWebhookBody(req);
  const url = new URL(req.url);
  const mode = url.searchParams.get("mode");
  const idempotencyKey = req.headers.get("idempotency-key");
  return startRun(
    database,
    hook.workflowId,
    {
      inputs,
      triggerId: hook.triggerId,
      tags: ["webhook"],
      ...(mode === null ? {} : { mode: parseOrThrow(RunMode, mode, ["mode"]) }),
      ...(idempotencyKey === null ? {} : { idempotencyKey }),
    },
    { traceparent: req.headers.get("traceparent") },
  );
}

async function readWebhookBody(req: Request): Promise<Record<string, unknown>> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  let body: unknown;
  if (type === "application/x-www-form-urlencoded") {
    body = assertStorable(Object.fromEntries(new URLSearchParams(await readBodyText(req, MAX_WEBHOOK_BODY))));
  } else if (type === "" || type === "application/json" || type.endsWith("+json")) {
    body = await readJson(req, { maxBytes: MAX_WEBHOOK_BODY, emptyAs: {}, anyContentType: true });
  } else {
    throw new AppError(
      415,
      "unsupported_media_type",
      `content-type: "${type}" is not accepted; send application/json or a form`,
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AppError(422, "invalid_request", "body: a webhook body must be a JSON object", [
      { path: "body", code: "invalid_type", message: "a webhook body must be a JSON object" },
    ]);
  }
  return body as Record<string, unknown>;
}
