import type { RunAnswer } from "@/lib/contract/execution";
import type { ExecutionSnapshot, SingleNodeResult } from "@/lib/editor/run-store";
import type { RunMode, WorkflowDefinition } from "@/lib/workflow/schema";

/** `POST /api/workflows/:id/run`'s answer (SPEC §3). */
export type RunResponse = RunAnswer;

/** A refused API call, with the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: { "content-type": "application/json", accept: "application/json", ...init.headers },
    cache: "no-store",
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = (body as { error?: { message?: string; issues?: Array<{ path: string; message: string }> } })
      ?.error;
    const issue = err?.issues?.[0];
    const detail = issue ? ` (${issue.path}: ${issue.message})` : "";
    throw new ApiError(res.status, `${err?.message ?? `request failed with ${res.status}`}${detail}`);
  }
  return body as T;
}

/** Starts a run of a saved workflow. */
export function startRun(
  workflowId: string,
  body: {
    inputs?: unknown;
    mode?: RunMode;
    triggerId?: string;
    idempotencyKey?: string;
    executionId?: string;
  },
): Promise<RunResponse> {
  return call(`/api/workflows/${encodeURIComponent(workflowId)}/run`, {
    method: "POST",
    body: JSON.stringify(body),
  });
}

/** Cancels, pauses or resumes an execution. */
export function controlExecution(
  executionId: string,
  action: "cancel" | "pause" | "resume" | "retry",
): Promise<unknown> {
  return call(`/api/executions/${encodeURIComponent(executionId)}/${action}`, { method: "POST", body: "{}" });
}

/** Runs one node alone, with the given input or the last upstream outputs. */
export function runSingleNode(
  workflowId: string,
  nodeId: string,
  input?: unknown,
  iteration?: number[],
): Promise<SingleNodeResult> {
  return call(`/api/workflows/${encodeURIComponent(workflowId)}/nodes/${encodeURIComponent(nodeId)}/run`, {
    method: "POST",
    body: JSON.stringify({
      ...(input === undefined ? {} : { input }),
      ...(iteration ? { iteration } : {}),
    }),
  });
}

/** A trigger's incoming webhook (`/api/workflows/:id/webhooks`). */
export interface WebhookInfo {
  triggerId: string;
  url: string;
  createdAt: string;
}

const webhooksUrl = (workflowId: string) => `/api/workflows/${encodeURIComponent(workflowId)}/webhooks`;

/** The webhooks of a workflow. */
export async function listWebhooks(workflowId: string): Promise<WebhookInfo[]> {
  return (await call<{ webhooks: WebhookInfo[] }>(webhooksUrl(workflowId))).webhooks;
}

/** Gives a saved trigger a webhook URL (or returns the one it has). */
export function createWebhook(workflowId: string, triggerId: string): Promise<WebhookInfo> {
  return call(webhooksUrl(workflowId), { method: "POST", body: JSON.stringify({ triggerId }) });
}

/** Revokes a trigger's webhook. */
export async function revokeWebhook(workflowId: string, triggerId: string): Promise<void> {
  await call(`${webhooksUrl(workflowId)}/${encodeURIComponent(triggerId)}`, { method: "DELETE" });
}

/** Reads an execution (its nodes carry their inputs, which live events do not). */
export function getExecution(executionId: string): Promise<ExecutionSnapshot> {
  return call(`/api/executions/${encodeURIComponent(executionId)}`);
}

/** A row of `GET /api/workflows`. */
export interface WorkflowListItem {
  id: string;
  name: string;
  nodeCount: number;
  updatedAt: string;
}

/** Every workflow, most recently updated first (the sub-workflow picker's list). */
export async function listWorkflows(): Promise<WorkflowListItem[]> {
  return (await call<{ workflows: WorkflowListItem[] }>("/api/workflows")).workflows;
}

/** A saved workflow's current definition. */
export async function getWorkflowDefinition(workflowId: string): Promise<WorkflowDefinition> {
  return (await call<{ definition: WorkflowDefinition }>(`/api/workflows/${encodeURIComponent(workflowId)}`))
    .definition;
}
