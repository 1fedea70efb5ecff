"use client";

import { type NodeProps, NodeResizer } from "@xyflow/react";
import { memo } from "react";
import type { FlowNode } from "@/lib/editor/flow";
import type { LoopProgress } from "@/lib/engine/ports";
import { useRunState, useStores, useValidation } from "./editor-context";
import { NodeBody, PlayButton } from "./workflow-node";

/**
 * A loop on the canvas: a box (a React Flow group) whose body nodes sit inside it. Its header is a
 * node card like any other (handles, title, summary) plus a live counter and bar of its items.
 * Selected, it can be resized; nodes dropped into the box join its body.
 */
function LoopNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const { node } = data;
  const { editor } = useStores();
  const view = useRunState((s) => s.nodes[id]);
  const singleRunning = useRunState((s) => s.singleRunning[id] === true);
  const hasIssues = useValidation((s) => s.grouped.byNode[id] !== undefined);
  const status = view?.status ?? "idle";
  const progress = (view as { progress?: LoopProgress } | undefined)?.progress;

  return (
    <div
      className={`bn-node bn-loop bn-type-${node.type}${selected ? " is-selected" : ""}`}
      data-testid={`node-${id}`}
      data-status={status}
      data-type={node.type}
    >
      <NodeResizer
        isVisible={selected}
        minWidth={320}
        minHeight={180}
        lineClassName="bn-loop-resize-line"
        handleClassName="bn-loop-resize-handle"
        onResizeEnd={(_, p) =>
          editor.getState().updateNode(id, {
            size: { width: Math.round(p.width), height: Math.round(p.height) },
            position: { x: Math.round(p.x), y: Math.round(p.y) },
          })
        }
      />
      <div className="bn-loop-head">
        <NodeBody node={node} hasIssues={hasIssues} />
        {progress && <LoopCounter progress={progress} />}
      </div>
      {selected && <PlayButton id={id} running={singleRunning} />}
      <span className="bn-sr-only">Status: {status}</span>
    </div>
  );
}

/** "12 / 20 · 1 failed" with a bar. */
const LoopCounter = memo(function LoopCounter({ progress }: { progress: LoopProgress }) {
  const { done, failed, total } = progress;
  const pct = total === 0 ? 100 : Math.round((done / total) * 100);
  return (
    <div
      className="bn-loop-progress"
      data-testid="loop-progress"
      data-done={done}
      data-failed={failed}
      data-total={total}
    >
      <span className="bn-loop-count">
        {done} / {total}
        {failed > 0 && <span className="bn-loop-failed"> · {failed} failed</span>}
      </span>
      <span className="bn-loop-bar" aria-hidden="true">
        <span className="bn-loop-fill" style={{ width: `${pct}%` }} />
      </span>
    </div>
  );
});

export const LoopNode = memo(LoopNodeView);
