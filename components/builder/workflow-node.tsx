"use client";

import { Handle, type NodeProps, Position } from "@xyflow/react";
import { Fragment, memo } from "react";
import { WaitingLine } from "@/components/wait/waiting-line";
import type { FlowNode } from "@/lib/editor/flow";
import type { EditorNode } from "@/lib/editor/types";
import { handlesOf, nodeTypes } from "@/lib/nodes/registry";
import { useRunState, useStores, useValidation } from "./editor-context";
import { useNodeView } from "./loop-items";
import { nodeSummary, previewValue } from "./node-summary";
import { TypeIcon } from "./type-icon";

/**
 * One workflow node on the canvas. It subscribes only to its own run state and issues, and a
 * status change repaints only the frame (color, pulse): the body with its handles is memoized on
 * the node itself, so 500 nodes changing status stay cheap.
 */
function WorkflowNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const { node } = data;
  const view = useNodeView(id, node.parentId);
  const singleRunning = useRunState((s) => s.singleRunning[id] === true);
  const hasIssues = useValidation((s) => s.grouped.byNode[id] !== undefined);
  const status = view?.status ?? "idle";
  const single = view?.single && view.status !== "running" ? view : undefined;

  return (
    <div
      className={`bn-node bn-type-${node.type}${selected ? " is-selected" : ""}`}
      data-testid={`node-${id}`}
      data-status={status}
      data-type={node.type}
    >
      <NodeBody node={node} hasIssues={hasIssues} />
      {selected && <PlayButton id={id} running={singleRunning} />}
      <span className="bn-sr-only">Status: {status}</span>
      {status === "waiting" && view?.waiting && <WaitingLine nodeId={id} waiting={view.waiting} />}
      {single && (
        <div
          className={`bn-node-result ${single.status === "failed" ? "is-error" : ""}`}
          data-testid={`node-result-${id}`}
        >
          {single.status === "failed" ? single.error?.message : previewValue(single.output)}
        </div>
      )}
    </div>
  );
}

/**
 * The selected node's "Run node" button. It sits inside the node's own box (top right), so it
 * scales with the zoom like the node and never covers a neighbour.
 */
export const PlayButton = memo(function PlayButton({ id, running }: { id: string; running: boolean }) {
  const { actions } = useStores();
  return (
    <button
      type="button"
      className="bn-node-play nodrag nopan"
      aria-label={`Run node ${id} alone`}
      title="Run this node alone"
      data-testid={`node-play-${id}`}
      disabled={running}
      onClick={(e) => {
        e.stopPropagation();
        void actions.runNode(id);
      }}
    >
      <svg viewBox="0 0 16 16" width="10" height="10" aria-hidden="true">
        <path d="M4 2.5v11l9-5.5z" fill="currentColor" />
      </svg>
      <span>{running ? "Running…" : "Run node"}</span>
    </button>
  );
});

/** The "+" beside an output handle: opens the node picker to add the next node there. */
function AddAfterButton({ id, handle, top }: { id: string; handle: string; top: string }) {
  const { ui } = useStores();
  return (
    <button
      type="button"
      className={`bn-add-after nodrag nopan${handle === "out" ? "" : " is-labeled"}`}
      style={{ top }}
      aria-label={`Add a node after ${id}${handle === "out" ? "" : ` (${handle})`}`}
      title="Add the next node"
      data-testid={`add-after-${id}-${handle}`}
      onClick={(e) => {
        e.stopPropagation();
        const r = e.currentTarget.getBoundingClientRect();
        ui.getState().openPicker({ from: { source: id, handle }, screen: { x: r.right + 8, y: r.top - 8 } });
      }}
    >
      +
    </button>
  );
}

/** A `workflow` node's "open ↗": the child workflow's builder, in a new tab (the canvas keeps its state). */
function ChildWorkflowLink({ nodeId, workflowId }: { nodeId: string; workflowId: unknown }) {
  if (typeof workflowId !== "string" || !workflowId.trim() || workflowId.includes("{{")) return null;
  return (
    <a
      className="bn-link nodrag nopan"
      href={`/workflows/${encodeURIComponent(workflowId.trim())}`}
      target="_blank"
      rel="noreferrer"
      title="Open the child workflow"
      data-testid={`node-open-workflow-${nodeId}`}
      onClick={(e) => e.stopPropagation()}
      onDoubleClick={(e) => e.stopPropagation()}
    >
      open ↗
    </a>
  );
}

export const NodeBody = memo(function NodeBody({
  node,
  hasIssues,
}: {
  node: EditorNode;
  hasIssues: boolean;
}) {
  const handles = handlesOf(node);
  return (
    <>
      {node.type !== "trigger" && (
        <Handle
          type="target"
          position={Position.Left}
          className="bn-handle bn-handle-in"
          data-testid={`handle-${node.id}-in`}
          aria-label={`Input of ${node.id}`}
        />
      )}
      <div className="bn-node-head">
        <TypeIcon type={node.type} />
        <span className="bn-node-type">{nodeTypes[node.type].label}</span>
        {node.type === "workflow" && (
          <ChildWorkflowLink nodeId={node.id} workflowId={node.config.workflowId} />
        )}
        {hasIssues && (
          <span
            className="bn-node-issue"
            role="img"
            title="This node has problems: see its config panel"
            aria-label="Has problems"
          >
            !
          </span>
        )}
        <span className="bn-status-dot" aria-hidden="true" />
      </div>
      <div className="bn-node-title">{node.name || node.id}</div>
      <div className="bn-node-sub">
        <code>{node.id}</code>
        <span>{nodeSummary(node)}</span>
      </div>
      {handles.map((handle, i) => {
        const top = `${((i + 1) / (handles.length + 1)) * 100}%`;
        return (
          <Fragment key={handle}>
            <Handle
              id={handle}
              type="source"
              position={Position.Right}
              className={`bn-handle bn-handle-out bn-handle-${handle}`}
              style={{ top }}
              data-testid={`handle-${node.id}-${handle}`}
              aria-label={`${handle} output of ${node.id}`}
            >
              {handle !== "out" && <span className="bn-handle-label">{handle}</span>}
            </Handle>
            <AddAfterButton id={node.id} handle={handle} top={top} />
          </Fragment>
        );
      })}
    </>
  );
});

export const WorkflowNode = memo(WorkflowNodeView);
