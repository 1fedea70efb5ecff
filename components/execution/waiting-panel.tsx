"use client";

import { useToast } from "@/components/ui/toast";
import { ApprovalForm } from "@/components/wait/approval-form";
import { outcomeLabel } from "@/components/wait/approval-model";
import { ticks, waitingText, waitTokenOf } from "@/components/wait/waiting";
import { absoluteUrl, CopyButton, useNow } from "@/components/wait/waiting-line";
import type { WaitingInfo } from "@/lib/contract/events";
import { ApprovalFields } from "@/lib/nodes/wait/approval";
import type { ExecutionNodeDetail } from "@/lib/runs/get-execution";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

/** A waiting node as the panel lists it. */
interface WaitingNode {
  id: string;
  label: string;
  waiting: WaitingInfo;
  config: Record<string, unknown>;
}

/** The top-level nodes that wait, in definition order. */
export function waitingNodesOf(
  definition: WorkflowDefinition,
  nodes: Record<string, ExecutionNodeDetail>,
): WaitingNode[] {
  return definition.nodes.flatMap((n) => {
    const detail = nodes[n.id];
    if (n.parentId !== undefined || detail?.status !== "waiting" || !detail.waiting) return [];
    return [
      {
        id: n.id,
        label: n.name || n.id,
        waiting: detail.waiting,
        config: (n.config ?? {}) as Record<string, unknown>,
      },
    ];
  });
}

/**
 * The owner's view of what an execution waits for: each waiting node with its countdown, its
 * approval link (and Approve / Reject with a comment, right here), or its webhook's resume URL.
 * Never on a share page: the links are credentials.
 */
export function WaitingPanel({ workflowId, waiting }: { workflowId: string; waiting: WaitingNode[] }) {
  if (waiting.length === 0) return null;
  return (
    <section className="card waiting-panel" aria-labelledby="waiting-title" data-testid="waiting-panel">
      <div className="card-head">
        <h2 id="waiting-title">Waiting</h2>
        <span>
          {waiting.length} node{waiting.length === 1 ? "" : "s"}
        </span>
      </div>
      <ul className="waiting-items">
        {waiting.map((w) => (
          <WaitingItem key={w.id} node={w} workflowId={workflowId} />
        ))}
      </ul>
    </section>
  );
}

function WaitingItem({ node, workflowId }: { node: WaitingNode; workflowId: string }) {
  const { waiting } = node;
  const toast = useToast();
  const now = useNow(ticks(waiting));
  const token = waiting.approvalUrl ? waitTokenOf(waiting.approvalUrl) : undefined;
  const fields = ApprovalFields.safeParse(node.config.fields ?? []);
  const title = typeof node.config.title === "string" ? node.config.title : undefined;
  return (
    <li className="waiting-item" data-testid={`waiting-item-${node.id}`} data-for={waiting.for}>
      <div className="waiting-item-head">
        <h3>{node.label}</h3>
        <span className="muted" suppressHydrationWarning>
          {waitingText(waiting, now)}
        </span>
      </div>
      {waiting.for === "approval" && title ? <div>{title}</div> : null}
      {waiting.approvalUrl ? (
        <div className="waiting-link-row">
          <a
            href={waiting.approvalUrl}
            target="_blank"
            rel="noopener noreferrer"
            data-testid={`waiting-panel-approval-link-${node.id}`}
          >
            Approval page ↗
          </a>
          <CopyButton
            text={() => absoluteUrl(waiting.approvalUrl ?? "")}
            label="Copy link"
            testId={`waiting-panel-copy-approval-${node.id}`}
          />
        </div>
      ) : null}
      {waiting.for === "webhook" && waiting.resumeUrl ? (
        <div className="waiting-link-row">
          <span>Resume with</span>
          <code data-testid={`waiting-panel-resume-url-${node.id}`}>POST {waiting.resumeUrl}</code>
          <CopyButton
            text={() => absoluteUrl(waiting.resumeUrl ?? "")}
            label="Copy URL"
            testId={`waiting-panel-copy-resume-${node.id}`}
          />
        </div>
      ) : null}
      {waiting.key !== undefined ? (
        <div className="waiting-link-row">
          <span>Or resume by key:</span>
          <code>
            POST /api/workflows/{workflowId}/resume {JSON.stringify({ key: waiting.key })}
          </code>
        </div>
      ) : null}
      {waiting.for === "approval" && token ? (
        <ApprovalForm
          token={token}
          fields={fields.success ? fields.data : []}
          compact
          // The node moves on at once and leaves this panel: say what happened where it stays.
          onAnswered={(result) =>
            toast(
              result.kind === "done"
                ? `${node.label}: ${result.approved ? "approved" : "rejected"}`
                : result.kind === "answered"
                  ? `${node.label}: already answered (${outcomeLabel(result.outcome).toLowerCase()})`
                  : `${node.label}: ${result.message}`,
              result.kind === "done" ? "info" : "error",
            )
          }
        />
      ) : null}
    </li>
  );
}
