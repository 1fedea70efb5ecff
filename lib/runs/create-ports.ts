import "server-only";
import type { Database } from "@/lib/db/client";
import { createMailer } from "@/lib/email/mailer";
import type { EngineEvent, EnginePorts, EventSink, NodeCheckpoint } from "@/lib/engine/ports";
import { getEnv } from "@/lib/env";
import { createEventWriter, type EventWriter } from "@/lib/events/store";
import { createHttpClientFromEnv } from "@/lib/http/client";
import { createExecutionBudget } from "@/lib/llm/budget";
import { createLlmClientFromEnv } from "@/lib/llm/client";
import { loadPrices } from "@/lib/llm/prices-store";
import { createSandboxCodeRunner } from "@/lib/sandbox/code-runner";
import { capEventOutputs } from "@/lib/security/limits";
import { createRedactor, type Redactor } from "@/lib/security/redact";
import { loadSecrets } from "@/lib/security/secrets";
import { createMetricsTracer } from "@/lib/telemetry/metrics";
import { createPostgresJournal, type PostgresJournal } from "./postgres-journal";

/** The real ports of one execution plus what its runner needs to finish it. */
/** One code runner per process: it only forwards to the process-wide sandbox pool. */
const sandboxCodeRunner = createSandboxCodeRunner();

export interface ExecutionPorts extends EnginePorts {
  journal: PostgresJournal;
  /** The fenced event store under `events` (flush it before answering). */
  writer: EventWriter;
  secrets: Record<string, string>;
  redact: Redactor;
  /** An event as `events` stores it (secrets redacted, outputs capped), for writes outside `events`. */
  prepareEvent: <T extends EngineEvent>(event: T) => T;
}

/**
 * Assembles the adapters of an execution run under `fence`: the fenced Postgres journal, the
 * fenced event store, the HTTP, LLM and mail clients from the environment. Checkpoints and events
 * pass through the secret redactor before they are stored.
 */
export async function createExecutionPorts(
  database: Database,
  executionId: string,
  fence: number,
  options: {
    onFenced?: () => void;
    fresh?: boolean;
    deferrable?: (checkpoint: NodeCheckpoint) => boolean;
  } = {},
): Promise<ExecutionPorts> {
  const secrets = await loadSecrets(database);
  const redact = createRedactor(Object.values(secrets));
  // Stored node inputs/outputs and event payloads are redacted, then capped in size (visible marker;
  // the journal caps checkpoints itself).
  const journal = createPostgresJournal(database.db, executionId, fence, {
    redact,
    onFenced: options.onFenced,
    fresh: options.fresh,
    deferrable: options.deferrable,
  });
  const writer = createEventWriter(database, executionId, { fence });
  const prepareEvent = <T extends EngineEvent>(event: T): T => capEventOutputs(redact(event));
  const redacting: EventSink = { emit: (event: EngineEvent) => writer.emit(prepareEvent(event)) };
  const env = getEnv();
  const prices = await loadPrices(database.db);
  return {
    journal,
    writer,
    events: redacting,
    http: createHttpClientFromEnv(),
    llm: createLlmClientFromEnv(database),
    tracer: createMetricsTracer(),
    budget: createExecutionBudget(database.db, executionId, { prices }),
    mailer: createMailer(env.SMTP_URL),
    code: sandboxCodeRunner,
    secrets,
    redact,
    prepareEvent,
  };
}
