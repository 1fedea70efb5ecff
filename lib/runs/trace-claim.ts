import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";
import type { ClaimedExecution } from "@/lib/queue/claim-executions";
import { combineTracers } from "@/lib/telemetry/metrics";
import type { ExecutionTrace } from "@/lib/telemetry/otel";
import { getTracing } from "@/lib/telemetry/tracing";
import type { ExecutionPorts } from "./create-ports";

let warned = false;

/**
 * With tracing on (`OTEL_EXPORTER_OTLP_ENDPOINT`), starts this claim's span and hangs the
 * execution's node attempts, LLM calls and outgoing HTTP requests below it: `ports.tracer`,
 * `ports.llm` and `ports.http` are replaced by tracing ones. The span's parent is the execution's
 * stored trace context; the first claim of an execution that has none stores its own, so later
 * claims (hand-off, resume, crash recovery) continue the same trace. Off: nothing, not even an
 * import of the SDK. Tracing never fails a run: an error here is logged once and ignored.
 */
export async function traceClaim(
  db: Db,
  claim: ClaimedExecution,
  ports: ExecutionPorts,
): Promise<ExecutionTrace | undefined> {
  let trace: ExecutionTrace | undefined;
  try {
    const otel = await getTracing();
    if (!otel) return undefined;
    trace = otel.startExecution({
      executionId: claim.id,
      workflowId: claim.workflowId,
      parent: claim.traceContext,
      claims: claim.claims,
      mode: claim.mode,
      redact: ports.redact,
    });
    if (!claim.traceContext) {
      await query(
        db,
        sql`update executions set trace_context = ${trace.traceparent}
            where id = ${claim.id} and trace_context is null`,
      );
    }
    ports.tracer = combineTracers(ports.tracer, trace.tracer);
    ports.llm = trace.wrapLlm(ports.llm);
    ports.http = trace.wrapHttp(ports.http);
    return trace;
  } catch (err) {
    trace?.end("untraced");
    if (!warned) console.error("tracing: could not trace an execution (runs go on untraced):", err);
    warned = true;
    return undefined;
  }
}
