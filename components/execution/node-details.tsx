"use client";

import Link from "next/link";
import { formatDateTime, formatDuration } from "@/components/ui/format";
import { JsonView } from "@/components/ui/json-view";
import { StatusBadge } from "@/components/ui/status-badge";
import { ticks, waitingText } from "@/components/wait/waiting";
import { useNow } from "@/components/wait/waiting-line";
import { type NodeType, nodeTypes } from "@/lib/nodes/registry";
import type { ExecutionNodeDetail } from "@/lib/runs/get-execution";
import type { WorkflowNode } from "@/lib/workflow/schema";
import { nodeCostLabel, nodeCostOf } from "./cost";

/** Everything known about one node of the execution: status, timing, input, output, error. */
export function NodeDetails({
  node,
  detail,
  partialText,
  childExecutionId,
}: {
  node: WorkflowNode | undefined;
  detail: ExecutionNodeDetail | undefined;
  /** LLM text streamed so far, shown while the node runs. */
  partialText?: string;
  /** A `workflow` node's child execution. */
  childExecutionId?: string;
}) {
  if (!node) {
    return (
      <div className="detail-body">
        <p className="muted" style={{ margin: 0 }}>
          Select a node on the canvas or the timeline to see its input, output and error.
        </p>
      </div>
    );
  }
  const usage = (detail?.output as { usage?: { promptTokens?: number; completionTokens?: number } } | null)
    ?.usage;
  const cost = nodeCostOf(detail);
  const waiting = detail?.status === "waiting" ? detail.waiting : undefined;
  return (
    <div className="detail-body" data-testid="node-details" data-node-id={node.id}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <div>
          <div className="flow-node-type">{nodeTypes[node.type as NodeType]?.label ?? node.type}</div>
          <h3>{node.name || node.id}</h3>
        </div>
        <StatusBadge status={detail?.status ?? "idle"} testId="node-details-status" />
      </div>
      <dl className="kv">
        <dt>Node id</dt>
        <dd className="mono">{node.id}</dd>
        {childExecutionId ? (
          <>
            <dt>Child execution</dt>
            <dd>
              <Link
                href={`/executions/${childExecutionId}`}
                className="mono"
                data-testid="node-details-child-execution"
              >
                {childExecutionId.slice(0, 8)} ↗
              </Link>
            </dd>
          </>
        ) : null}
        <dt>Attempts</dt>
        <dd data-testid="node-details-attempts">{detail?.attempts ?? 0}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(detail?.durationMs)}</dd>
        <dt>Started</dt>
        <dd>{formatDateTime(detail?.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatDateTime(detail?.finishedAt)}</dd>
        {waiting ? (
          <>
            <dt>Waiting</dt>
            <dd data-testid="node-details-waiting">
              <WaitingFor waiting={waiting} />
            </dd>
          </>
        ) : null}
        {detail?.cached ? (
          <>
            <dt>Cache</dt>
            <dd>
              <span className="tag" data-testid="node-details-cached">
                cached
              </span>
            </dd>
          </>
        ) : null}
        {usage ? (
          <>
            <dt>Tokens</dt>
            <dd data-testid="node-details-tokens">
              {usage.promptTokens ?? 0} in · {usage.completionTokens ?? 0} out
            </dd>
          </>
        ) : null}
        {cost ? (
          <>
            <dt>Cost</dt>
            <dd data-testid="node-details-cost">
              {cost.cached ? `$0 · ${nodeCostLabel(cost)}` : nodeCostLabel(cost)}
            </dd>
          </>
        ) : null}
      </dl>
      {detail?.error ? (
        <div>
          <div className="section-label">Error</div>
          <div className="error-box" data-testid="node-details-error">
            {detail.error.code ? <strong>{detail.error.code}: </strong> : null}
            {detail.error.message}
          </div>
        </div>
      ) : null}
      {partialText && detail?.status === "running" ? (
        <div>
          <div className="section-label">Streaming</div>
          <pre className="json-view" data-testid="node-details-partial" style={{ whiteSpace: "pre-wrap" }}>
            {partialText}
          </pre>
        </div>
      ) : null}
      <div>
        <div className="section-label">Input</div>
        <JsonView value={detail?.input ?? null} testId="node-details-input" />
      </div>
      <div>
        <div className="section-label">Output</div>
        <JsonView value={detail?.output ?? null} testId="node-details-output" />
      </div>
    </div>
  );
}

/** What a waiting node waits for, its countdown kept current. */
function WaitingFor({ waiting }: { waiting: NonNullable<ExecutionNodeDetail["waiting"]> }) {
  const now = useNow(ticks(waiting));
  return <span suppressHydrationWarning>{waitingText(waiting, now)}</span>;
}
