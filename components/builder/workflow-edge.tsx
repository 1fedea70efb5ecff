"use client";

import { BaseEdge, type EdgeProps, getBezierPath } from "@xyflow/react";
import { memo } from "react";
import type { FlowEdge } from "@/lib/editor/flow";
import { useRunState } from "./editor-context";

/** An edge colored by its handle that animates while its source node runs. */
function WorkflowEdgeView(props: EdgeProps<FlowEdge>) {
  const { id, source, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected } =
    props;
  const sourceStatus = useRunState((s) => s.nodes[source]?.status);
  const flowing = sourceStatus === "running";
  const skipped = sourceStatus === "skipped";
  const [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const classes = ["bn-edge", `bn-edge-${data?.handle ?? "out"}`];
  if (flowing) classes.push("is-flowing");
  if (skipped) classes.push("is-skipped");
  if (selected) classes.push("is-selected");
  return <BaseEdge id={id} path={path} className={classes.join(" ")} interactionWidth={18} />;
}

export const WorkflowEdge = memo(WorkflowEdgeView);
