import "server-only";
import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { createRedactor, type Redactor } from "@/lib/security/redact";
import { loadSecrets } from "@/lib/security/secrets";
import {
  type ExecutionDetail,
  type ExecutionIterationDetail,
  getExecutionDetail,
  getExecutionIteration,
} from "./get-execution";
import { getExecutionByShareToken, getSharedExecutionId } from "./shares";

/**
 * What a share link must never show: the stored secrets and the server's own credentials. The
 * redactor replaces them (raw, base64- and URL-encoded) anywhere in a value.
 */
export async function createShareRedactor(database: Database): Promise<Redactor> {
  const env = getEnv();
  const values = [
    ...Object.values(await loadSecrets(database)),
    env.OPENAI_API_KEY,
    env.UPSTASH_REDIS_REST_TOKEN,
    env.CRON_SECRET,
    env.APP_PASSWORD,
    env.APP_SECRET,
    smtpPassword(env.SMTP_URL),
  ].filter((v): v is string => typeof v === "string");
  return createRedactor(values);
}

/**
 * Replaces every secret in an execution before it leaves the server on a share page: inputs,
 * outputs, node inputs/outputs/errors, logs and the definition snapshot alike.
 */
export async function redactForShare(database: Database, detail: ExecutionDetail): Promise<ExecutionDetail> {
  return (await createShareRedactor(database))(detail);
}

/** What a share link shows: the execution shared under `token`, redacted; undefined when there is none. */
export async function getSharedExecution(
  database: Database,
  token: string,
): Promise<ExecutionDetail | undefined> {
  const detail = await getExecutionByShareToken(database.db, token);
  return detail ? redactForShare(database, detail) : undefined;
}

/** One loop item of a shared execution (`GET /api/share/:token/iterations/:path`), redacted. */
export async function getSharedIteration(
  database: Database,
  token: string,
  iteration: number[],
): Promise<ExecutionIterationDetail | undefined> {
  const id = await getSharedExecutionId(database.db, token);
  if (!id) return undefined;
  const detail = await getExecutionIteration(database.db, id, iteration);
  return detail ? (await createShareRedactor(database))(detail) : undefined;
}

/** How many levels of children a share link reaches (the nesting limit). */
const MAX_SHARED_DEPTH = 10;

/**
 * A child execution (a sub-workflow's run) of the execution shared under `token`, redacted the same
 * way; undefined unless `childId` descends from the shared execution. A share link reaches its
 * children only through it: a child's own id alone shows nothing.
 */
export async function getSharedChild(
  database: Database,
  token: string,
  childId: string,
): Promise<ExecutionDetail | undefined> {
  const rootId = await getSharedExecutionId(database.db, token);
  if (!rootId || childId === rootId) return undefined;
  let at: string | null | undefined = childId;
  for (let level = 0; level < MAX_SHARED_DEPTH && at; level++) {
    const [row]: { parent: string | null }[] = await database.db
      .select({ parent: executions.parentExecutionId })
      .from(executions)
      .where(eq(executions.id, at))
      .limit(1);
    at = row?.parent;
    if (at === rootId) {
      const detail = await getExecutionDetail(database.db, childId);
      return detail ? redactForShare(database, detail) : undefined;
    }
  }
  return undefined;
}

function smtpPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}
