"use client";

import {
  Background,
  Controls,
  type Edge,
  Handle,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "@/components/versions/versions.css";
import { memo, useMemo } from "react";
import { statusColor } from "@/components/ui/status-badge";
import { useTheme } from "@/components/ui/theme";
import type { NodeStatus } from "@/lib/engine/ports";
import { handlesOf, type NodeType, nodeTypes } from "@/lib/nodes/registry";
import type { ExecutionNodeDetail } from "@/lib/runs/get-execution";
import { resolveEdges } from "@/lib/workflow/graph";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { nodeCostLabel, nodeCostOf } from "./cost";
import { positionsOf } from "./flow-layout";

type StatusNodeData = {
  label: string;
  type: string;
  status: NodeStatus | "idle";
  handles: string[];
  cached: boolean;
  /** Copied from the source execution by a re-run (drawn with a dashed green border). */
  reused: boolean;
  selected: boolean;
  /** "$0.0004", "saved $0.0123": an LLM node's cost. */
  cost?: string;
};
type StatusNode = Node<StatusNodeData, "status">;

const StatusNodeView = memo(function StatusNodeView({ id, data }: NodeProps<StatusNode>) {
  const color = statusColor(data.status);
  const typeLabel = nodeTypes[data.type as NodeType]?.label ?? data.type;
  return (
    <div
      className="flow-node"
      data-testid={`node-${id}`}
      data-status={data.status}
      data-selected={data.selected}
      data-reused={data.reused}
      style={{ ["--node-color" as string]: color }}
    >
      {data.type !== "trigger" ? (
        <Handle type="target" position={Position.Left} isConnectable={false} />
      ) : null}
      <div className="flow-node-type">{typeLabel}</div>
      <div className="flow-node-name" title={data.label}>
        {data.label}
      </div>
      <div className="flow-node-status">
        <span className="badge-dot" style={{ background: color }} aria-hidden />
        {data.status === "idle" ? "not run" : data.status}
        {data.cached ? <span className="tag">cached</span> : null}
        {data.reused ? <span className="tag">reused</span> : null}
        {data.cost ? (
          <span className="tag" data-testid={`node-cost-${id}`}>
            {data.cost}
          </span>
        ) : null}
      </div>
      {data.handles.map((h, i) => (
        <Handle
          key={h}
          id={h}
          type="source"
          position={Position.Right}
          isConnectable={false}
          style={{ top: `${((i + 1) / (data.handles.length + 1)) * 100}%` }}
        />
      ))}
    </div>
  );
});

const NODE_TYPES = { status: StatusNodeView };

/** A read-only canvas of the definition that ran, each node in its status color; a click selects. */
export function ExecutionCanvas({
  definition,
  nodes,
  selectedId,
  onSelect,
}: {
  definition: WorkflowDefinition;
  nodes: Record<string, ExecutionNodeDetail>;
  selectedId: string | null;
  onSelect: (nodeId: string | null) => void;
}) {
  const positions = useMemo(() => positionsOf(definition), [definition]);
  const flowNodes = useMemo<StatusNode[]>(
    () =>
      definition.nodes.map((n) => {
        const detail = nodes[n.id];
        const cost = nodeCostOf(detail);
        return {
          id: n.id,
          type: "status",
          position: positions.get(n.id) ?? { x: 0, y: 0 },
          data: {
            label: n.name || n.id,
            type: n.type,
            status: detail?.status ?? "idle",
            handles: handlesOf(n),
            cached: detail?.cached ?? false,
            reused: detail?.reused === true,
            selected: n.id === selectedId,
            cost: cost ? nodeCostLabel(cost) : undefined,
          },
          draggable: false,
          connectable: false,
        };
      }),
    [definition, nodes, positions, selectedId],
  );
  const flowEdges = useMemo<Edge[]>(
    () =>
      resolveEdges(definition).map((e) => {
        const source = nodes[e.source]?.status;
        const target = nodes[e.target]?.status;
        const live = source === "succeeded" || source === "failed";
        const skipped = target === "skipped";
        return {
          id: e.key,
          source: e.source,
          target: e.target,
          sourceHandle: e.handle,
          animated: target === "running",
          label: e.handle === "out" ? undefined : e.handle,
          style: {
            stroke: skipped ? "#f59e0b" : live ? "#64748b" : "#cbd5e1",
            strokeWidth: live && !skipped ? 2 : 1.5,
            strokeDasharray: skipped ? "5 4" : undefined,
          },
        };
      }),
    [definition, nodes],
  );
  const { resolved: theme } = useTheme();
  return (
    <ReactFlowProvider>
      <ReactFlow
        colorMode={theme}
        nodes={flowNodes}
        edges={flowEdges}
        nodeTypes={NODE_TYPES}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
        minZoom={0.05}
        onlyRenderVisibleElements={definition.nodes.length > 300}
        onNodeClick={(_, node) => onSelect(node.id)}
        onPaneClick={() => onSelect(null)}
        proOptions={{ hideAttribution: true }}
        aria-label="Execution canvas"
      >
        <Background gap={20} color={theme === "dark" ? "#2c3648" : "#e5e7eb"} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </ReactFlowProvider>
  );
}
