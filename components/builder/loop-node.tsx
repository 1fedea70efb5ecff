"use client";

import { type NodeProps, NodeResizeControl } from "@xyflow/react";
import { memo } from "react";
import { LoopItemControls } from "@/components/loop/item-picker";
import { firstFailedItem, loopProgressOf } from "@/components/loop/use-loop-items";
import { WaitingLine } from "@/components/wait/waiting-line";
import { isTerminal } from "@/lib/contract/status";
import type { FlowNode } from "@/lib/editor/flow";
import { useEditor, useRunState, useStores, useUi, useValidation } from "./editor-context";
import { NodeBody, PlayButton } from "./workflow-node";

/**
 * A loop on the canvas: a box (a React Flow group) whose body nodes sit inside it. Its header is a
 * node card like any other (handles, title, summary) plus a live counter and bar of its items.
 * Selected, it can be resized; nodes dropped into the box join its body.
 */
function LoopNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const { node } = data;
  const { editor, ui, actions } = useStores();
  const view = useRunState((s) => s.nodes[id]);
  const singleRunning = useRunState((s) => s.singleRunning[id] === true);
  const hasIssues = useValidation((s) => s.grouped.byNode[id] !== undefined);
  const status = view?.status ?? "idle";
  const progress = loopProgressOf(view);
  const picked = useUi((s) => s.pickedItems[id] ?? 0);
  const bodyIds = useEditor((s) =>
    s.definition.nodes
      .filter((n) => n.parentId === id)
      .map((n) => n.id)
      .join(","),
  );
  const iterations = useRunState((s) => s.iterations);
  const runStatus = useRunState((s) => s.status);
  // A snapshot's loop detail also carries `failedItems` (GET /api/executions/:id).
  const firstFailed = firstFailedItem(
    view as (typeof view & { failedItems?: number[] }) | undefined,
    bodyIds === "" ? [] : bodyIds.split(","),
    iterations,
  );
  const finished = runStatus !== undefined && runStatus !== "starting" && isTerminal(runStatus);

  return (
    <div
      className={`bn-node bn-loop bn-type-${node.type}${selected ? " is-selected" : ""}`}
      data-testid={`node-${id}`}
      data-status={status}
      data-type={node.type}
    >
      {selected && (
        // One grip at the bottom-right corner: resize lines along the border would sit over the
        // loop's own handles and swallow a drag meant to connect it.
        <NodeResizeControl
          position="bottom-right"
          minWidth={320}
          minHeight={180}
          className="bn-loop-resize-handle"
          onResizeEnd={(_, p) =>
            editor.getState().updateNode(id, {
              size: { width: Math.round(p.width), height: Math.round(p.height) },
              position: { x: Math.round(p.x), y: Math.round(p.y) },
            })
          }
        />
      )}
      <div className="bn-loop-head">
        <NodeBody node={node} hasIssues={hasIssues} />
        {view && (
          <LoopItemControls
            loopId={id}
            progress={progress}
            index={picked}
            onPick={(i) => ui.getState().pickItem(id, i)}
            firstFailed={firstFailed}
            onRetryFailed={
              finished && firstFailed !== undefined ? () => void actions.control("retry") : undefined
            }
          />
        )}
        {status === "waiting" && view?.waiting && <WaitingLine nodeId={id} waiting={view.waiting} />}
      </div>
      {selected && <PlayButton id={id} running={singleRunning} />}
      <span className="bn-sr-only">Status: {status}</span>
    </div>
  );
}

export const LoopNode = memo(LoopNodeView);
