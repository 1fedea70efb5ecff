import "server-only";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { AppError, notFound } from "@/lib/api/errors";
import { type Database, type Db, query } from "@/lib/db/client";
import { retryOnConnectionError } from "@/lib/db/connection-errors";
import { toJsonParam } from "@/lib/db/json-param";
import type { WaitLinks, WaitPort, WaitRegistration, WaitResolution, WaitState } from "@/lib/engine/ports";
import { getEnv } from "@/lib/env";
import { ApprovalAnswer, type ApprovalFieldSchema, checkApprovalValues } from "@/lib/nodes/wait/approval";
import { notifyQueue } from "@/lib/queue/notify-queue";
import type { Redactor } from "@/lib/security/redact";
import { isUrlToken } from "@/lib/security/url-token";
import { fromZodIssues } from "@/lib/workflow/validate";
import { kickDrain } from "./kick-drain";

/*
 * Durable waits (SPEC §2 `waiting`, §3 resume routes): the store behind `ports.waits`, the
 * resumes (token, correlation key, timer, timeout) and the once-only rules.
 *
 * A resume moves a wait `pending → resolved` with one conditional UPDATE, so of any number of
 * racing resumes (and the timeout) exactly one wins. It then queues the execution if it rests
 * `waiting`. A runner that is still running other branches settles `waiting` later and then looks
 * for resolved waits itself (`requeueResumed`): each side writes first and reads after its write
 * committed, so one of them always sees the other and no resume is lost.
 */

/** The instance key wait tokens are derived with, per database (one read per process). */
const tokenKeys = new WeakMap<Db, Promise<Buffer>>();

/**
 * The key resume tokens are derived with: from APP_SECRET when set (then the database alone
 * cannot make a resume link), else a random key made once and kept in `instance_keys`.
 */
export function waitTokenKey(db: Db): Promise<Buffer> {
  let key = tokenKeys.get(db);
  if (!key) {
    key = (async () => {
      const secret = getEnv().APP_SECRET;
      if (secret) return createHash("sha256").update(`braid-wait-tokens\n${secret}`).digest();
      await query(
        db,
        sql`insert into instance_keys (name, value) values ('wait_tokens', ${randomBytes(32).toString("base64url")})
          on conflict (name) do nothing`,
      );
      const [row] = await query<{ value: string }>(
        db,
        sql`select value from instance_keys where name = 'wait_tokens'`,
      );
      if (!row) throw new Error("instance key wait_tokens is missing");
      return Buffer.from(row.value, "base64url");
    })();
    key.catch(() => tokenKeys.delete(db));
    tokenKeys.set(db, key);
  }
  return key;
}

/** The resume token of the wait of `nodeKey` in `executionId`: 192 bits, base64url. */
export function waitToken(key: Buffer, executionId: string, nodeKey: string): string {
  return createHmac("sha256", key)
    .update(`${executionId}\n${nodeKey}`)
    .digest()
    .subarray(0, 24)
    .toString("base64url");
}

/** What the `waits` row stores of a token. */
export const hashWaitToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** The links of a wait: absolute under APP_URL when it is set. */
export function waitLinks(key: Buffer, executionId: string, nodeKey: string): WaitLinks {
  const token = waitToken(key, executionId, nodeKey);
  const base = (getEnv().APP_URL ?? "").replace(/\/+$/, "");
  return { resumeUrl: `${base}/api/resume/${token}`, approvalUrl: `${base}/approve/${token}` };
}

/**
 * The wait store of one execution (`ports.waits`). `registered` tells whether this claim
 * registered a wait (a fresh claim that did not has none to end).
 */
export async function createWaitPort(
  db: Db,
  execution: { id: string; workflowId: string },
  redact: Redactor,
  options: { fresh?: boolean } = {},
): Promise<WaitPort & { readonly registered: boolean }> {
  const key = await waitTokenKey(db);
  let registered = false;
  return {
    get registered() {
      return registered;
    },
    links: (nodeKey) => waitLinks(key, execution.id, nodeKey),
    async pendingKeys() {
      if (options.fresh) return new Set<string>();
      const rows = await query<{ node_key: string }>(
        db,
        sql`select node_key from waits where execution_id = ${execution.id} and status = 'pending'`,
      );
      // A child's wait is keyed `<node key>@<attempt>`: the node is the part before the @.
      return new Set(rows.map((r) => r.node_key.replace(/@\d+$/, "")));
    },
    async register(wait: WaitRegistration): Promise<WaitState> {
      registered = true;
      const token = waitToken(key, execution.id, wait.key);
      const wakeAt = wait.dueAt ?? wait.timeoutAt;
      const wakeBy = wait.dueAt ? "timer" : wait.timeoutAt ? "timeout" : null;
      const approval = wait.approval ? toJsonParam(redact(wait.approval)) : null;
      // A timer already due (a run resumed late) is resolved by the next wake, not here.
      const inserted = await query<{ status: string }>(
        db,
        sql`insert into waits (execution_id, node_key, workflow_id, node_id, kind, token_hash, wake_at, wake_by,
              correlation_key, child_execution_id, approval)
            values (${execution.id}, ${wait.key}, ${execution.workflowId}, ${wait.nodeId}, ${wait.for},
              ${hashWaitToken(token)}, ${wakeAt ?? null}, ${wakeBy}, ${wait.correlationKey ?? null},
              ${wait.childExecutionId ?? null}, ${approval}::text::jsonb)
            on conflict (execution_id, node_key) do nothing
            returning status`,
      );
      // Registered before (the node runs again): a resolved wait is consumed (`done`) and its
      // outcome returned; a pending one stays pending.
      const rows =
        inserted.length > 0
          ? [{ status: "pending", resolution: null }]
          : await query<{ status: string; resolution: WaitResolution | null }>(
              db,
              sql`update waits set status = case when status = 'resolved' then 'done' else status end
                where execution_id = ${execution.id} and node_key = ${wait.key}
                returning status, resolution`,
            );
      const row = rows[0];
      if (row && (row.status === "done" || row.status === "resolved") && row.resolution)
        return { status: "resolved", resolution: row.resolution };
      // A child that ended before its parent's wait was registered: take its outcome now.
      if (wait.childExecutionId) {
        const [done] = await query<{ resolution: WaitResolution }>(
          db,
          sql`update waits w set status = 'done', resolved_at = now(),
              resolution = ${childResolution()}
            from executions c
            where w.execution_id = ${execution.id} and w.node_key = ${wait.key} and w.status = 'pending'
              and c.id = ${wait.childExecutionId} and ${childEnded}
            returning w.resolution`,
        );
        if (done) return { status: "resolved", resolution: done.resolution };
      }
      return { status: "pending" };
    },
  };
}

/**
 * The resolution of a wait on a child execution `c` that ended (the `workflow` node reads its
 * status, outputs and error), for statements that join the child as `c`.
 */
export const childResolution = () =>
  sql`jsonb_build_object('resumedAt', ${new Date().toISOString()}::text, 'by', 'execution',
    'data', jsonb_build_object('executionId', c.id, 'status', c.status, 'outputs', c.outputs, 'error', c.error))`;
/** The child execution `c` has ended. */
export const childEnded = sql`c.status in ('succeeded', 'failed', 'cancelled')`;

/**
 * Queues the executions resting `waiting` that have a resolved wait not yet consumed, and wakes the
 * drainers: `ids` right after resolving their waits, or after a runner settled one `waiting` (a
 * resume that came while it still ran); without `ids`, every such execution (the drain's sweep for
 * a requeue lost to a crash). Retried through a lost connection. Returns the ids queued.
 */
export async function requeueResumed(database: Database, ids?: string[]): Promise<string[]> {
  if (ids?.length === 0) return [];
  const only = ids === undefined ? sql`` : sql`and e.id = any(${sql.param([...new Set(ids)])}::text[])`;
  const rows = await retryOnConnectionError(() =>
    query<{ id: string }>(
      database.db,
      sql`update executions e set status = 'queued', run_after = now(), updated_at = now()
        from (select distinct execution_id from waits where status = 'resolved') r
        where e.id = r.execution_id and e.status = 'waiting' ${only}
        returning e.id`,
    ),
  );
  if (rows.length > 0) {
    await notifyQueue(database.db);
    kickDrain(database);
  }
  return rows.map((r) => r.id);
}

/** Ends the waits of an execution that ended: `cancelled` after a cancel, else `revoked`. */
export async function endWaits(db: Db, executionId: string, status: string): Promise<void> {
  await query(
    db,
    sql`update waits set status = ${status === "cancelled" ? "cancelled" : "revoked"}
      where execution_id = ${executionId} and status in ('pending', 'resolved')`,
  );
}

/** The answer to a resume request. */
export interface ResumeAnswer {
  executionId: string;
  nodeId: string;
  resumed: true;
  by: WaitResolution["by"];
}

interface WaitRow {
  execution_id: string;
  node_key: string;
  node_id: string;
  kind: string;
  status: string;
  approval: { title: string; message?: string; fields?: ApprovalFieldSchema[]; data?: unknown } | null;
  resolution: WaitResolution | null;
  execution_status: string;
}

async function waitByToken(db: Db, token: string): Promise<WaitRow | undefined> {
  if (!isUrlToken(token)) return undefined;
  const [row] = await query<WaitRow>(
    db,
    sql`select w.execution_id, w.node_key, w.node_id, w.kind, w.status, w.approval, w.resolution,
        e.status as execution_status
      from waits w join executions e on e.id = w.execution_id
      where w.token_hash = ${hashWaitToken(token)}`,
  );
  return row;
}

/** 404 for a token that is unknown or whose execution ended; 409 after a cancel or a first resume. */
function refuse(row: WaitRow | undefined): never {
  if (!row || row.status === "revoked") throw notFound("wait");
  if (row.status === "cancelled" || row.execution_status === "cancelled")
    throw new AppError(409, "cancelled", "the execution was cancelled; nothing waits any more");
  if (["succeeded", "failed"].includes(row.execution_status)) throw notFound("wait");
  throw new AppError(
    409,
    "already_resumed",
    `this wait was already resumed (${row.resolution?.by ?? "?"})`,
    undefined,
    undefined,
    row.resolution,
  );
}

/**
 * `POST /api/resume/:token`: resumes the wait the token belongs to. An approval's body is
 * `{ approved, comment?, data? }`, checked against its form (a bad answer: 400 naming the field,
 * the wait stays pending); any other wait takes the body as `data`.
 */
export async function resumeByToken(database: Database, token: string, body: unknown): Promise<ResumeAnswer> {
  const row = await waitByToken(database.db, token);
  if (row?.status !== "pending" || row.execution_status === "cancelled") refuse(row);
  if (row.kind === "execution")
    throw new AppError(
      409,
      "invalid_state",
      "this node waits on a child execution; it resumes when the child ends",
    );
  let resolution: WaitResolution;
  const resumedAt = new Date().toISOString();
  if (row.kind === "approval") {
    const answer = ApprovalAnswer.safeParse(body);
    if (!answer.success) {
      const issue = answer.error.issues[0];
      const field = issue?.path.join(".") || "body";
      throw new AppError(
        422,
        "invalid_request",
        `${field}: ${issue?.message ?? "invalid"}`,
        fromZodIssues(answer.error.issues),
      );
    }
    const values = checkApprovalValues(row.approval?.fields ?? [], answer.data);
    if (!values.ok) {
      throw new AppError(
        422,
        "invalid_request",
        values.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        values.issues.map((i) => ({ path: i.path.join("."), code: "invalid_value", message: i.message })),
      );
    }
    resolution = { resumedAt, by: "approval", approved: answer.data.approved, data: values.data };
    if (answer.data.comment) resolution.comment = answer.data.comment;
  } else {
    resolution = { resumedAt, by: "webhook" };
    if (body !== undefined) resolution.data = body;
  }
  const won = await query<{ execution_id: string }>(
    database.db,
    sql`update waits set status = 'resolved', resolution = ${toJsonParam(resolution)}::text::jsonb, resolved_at = now()
      where token_hash = ${hashWaitToken(token)} and status = 'pending'
      returning execution_id`,
  );
  if (won.length === 0) refuse(await waitByToken(database.db, token));
  await requeueResumed(database, [row.execution_id]);
  return { executionId: row.execution_id, nodeId: row.node_id, resumed: true, by: resolution.by };
}

/** `POST /api/workflows/:id/resume`: resumes every wait of that workflow pending on `key`. */
export async function resumeByKey(
  database: Database,
  workflowId: string,
  key: string,
  data: unknown,
): Promise<{ resumed: string[] }> {
  const resolution: WaitResolution = { resumedAt: new Date().toISOString(), by: "key" };
  if (data !== undefined) resolution.data = data;
  const rows = await query<{ execution_id: string }>(
    database.db,
    sql`update waits w set status = 'resolved', resolution = ${toJsonParam(resolution)}::text::jsonb, resolved_at = now()
      from executions e
      where w.workflow_id = ${workflowId} and w.correlation_key = ${key} and w.status = 'pending'
        and e.id = w.execution_id and e.status not in ('succeeded', 'failed', 'cancelled')
      returning w.execution_id`,
  );
  const ids = [...new Set(rows.map((r) => r.execution_id))];
  await requeueResumed(database, ids);
  return { resumed: ids };
}

/**
 * Resolves the waits whose timer or timeout is due (at most `limit`), exactly once however many
 * drainers race (a conditional update over rows locked with SKIP LOCKED), and queues their
 * executions. Returns how many it resolved.
 */
export async function wakeDueWaits(database: Database, limit = 500): Promise<number> {
  const resumedAt = new Date().toISOString();
  const rows = await query<{ execution_id: string }>(
    database.db,
    sql`with due as (
        select execution_id, node_key from waits
        where status = 'pending' and wake_at <= now()
        order by wake_at limit ${limit}
        for update skip locked
      )
      update waits w set status = 'resolved', resolved_at = now(),
        resolution = jsonb_build_object('resumedAt', ${resumedAt}::text, 'by', w.wake_by)
      from due where w.execution_id = due.execution_id and w.node_key = due.node_key and w.status = 'pending'
      returning w.execution_id`,
  );
  await requeueResumed(
    database,
    rows.map((r) => r.execution_id),
  );
  return rows.length;
}

/** When the next pending timer or timeout is due, if any. */
export async function nextWakeAt(db: Db): Promise<Date | undefined> {
  const [row] = await query<{ at: Date | string | null }>(
    db,
    sql`select min(wake_at) as at from waits where status = 'pending'`,
  );
  return row?.at ? new Date(row.at) : undefined;
}

/** What `/approve/<token>` shows. */
export interface ApprovalView {
  title: string;
  message?: string;
  fields: ApprovalFieldSchema[];
  data?: unknown;
  /** `pending`, or how it ended. */
  state: "pending" | "resolved" | "closed";
  resolution?: WaitResolution;
  executionId: string;
  nodeId: string;
}

/** The approval of `token`, or undefined (unknown token, not an approval, execution over). */
export async function getApproval(db: Db, token: string): Promise<ApprovalView | undefined> {
  const row = await waitByToken(db, token);
  if (row?.kind !== "approval" || !row.approval || row.status === "revoked") return undefined;
  if (["succeeded", "failed"].includes(row.execution_status) && row.status === "pending") return undefined;
  const view: ApprovalView = {
    title: row.approval.title,
    fields: row.approval.fields ?? [],
    data: row.approval.data,
    state:
      row.status === "pending" && row.execution_status !== "cancelled"
        ? "pending"
        : row.status === "cancelled" || row.execution_status === "cancelled"
          ? "closed"
          : "resolved",
    executionId: row.execution_id,
    nodeId: row.node_id,
  };
  if (row.approval.message) view.message = row.approval.message;
  if (row.resolution) view.resolution = row.resolution;
  return view;
}
