import { sql } from "drizzle-orm";
import type { EngineEvent } from "@/lib/contract/events";
import type { ExecutionStatus } from "@/lib/contract/status";
import { type Database, query } from "@/lib/db/client";
import { appendEventsStatement, createEventWriter, encodeEvent } from "@/lib/events/store";

/** The answer to one runner command. */
export interface RunnerReply {
  ok: boolean;
  emitted: number;
  fenced: boolean;
}

/**
 * A simulated runner writing through `createEventWriter`: `emit <n>` writes n events (node
 * running/succeeded pairs and logs), `finish <status>` sets the execution's status and writes the
 * terminal `execution` event in one statement, as a real runner settles (`settleExecution`), so a
 * reader never sees the status without its event. Each command resolves once its events are flushed.
 */
export function createSimulatedRunner(database: Database, executionId: string, fence?: number) {
  const writer = createEventWriter(database, executionId, fence === undefined ? {} : { fence });
  let emitted = 0;

  function next(): EngineEvent {
    const i = emitted++;
    const at = new Date().toISOString();
    if (i % 3 === 2) return { type: "log", at, level: "info", message: `line ${i}` };
    const status = i % 3 === 0 ? "running" : "succeeded";
    return { type: "node", nodeId: `n${Math.floor(i / 3)}`, status, attempt: 1, at };
  }

  return async function command(line: string): Promise<RunnerReply> {
    const [name, arg] = line.trim().split(/\s+/);
    if (name === "emit") {
      for (let i = 0; i < Number(arg); i++) writer.emit(next());
    } else if (name === "finish") {
      const status = (arg ?? "succeeded") as ExecutionStatus;
      await writer.flush();
      emitted++;
      const terminal: EngineEvent = {
        type: "execution",
        status,
        at: new Date().toISOString(),
        progress: { finished: 1, total: 1 },
      };
      await query(
        database.db,
        appendEventsStatement({
          executionId,
          events: [encodeEvent(terminal)],
          set: sql`status = ${status}, finished_at = now()`,
          where: fence === undefined ? undefined : sql`fence = ${fence}::int`,
          notify: true,
        }),
      );
    } else {
      throw new Error(`unknown runner command: ${line}`);
    }
    await writer.flush();
    return { ok: true, emitted, fenced: writer.fenced };
  };
}
