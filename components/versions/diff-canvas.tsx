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
import "./versions.css";
import { memo, useMemo } from "react";
import { positionsOf } from "@/components/execution/flow-layout";
import { type NodeType, nodeTypes } from "@/lib/nodes/registry";
import type { ChangeKind, WorkflowDiff } from "@/lib/versions/diff";

type DiffNodeData = { label: string; type: string; kind: ChangeKind; selected: boolean; moved: boolean };
type DiffNode = Node<DiffNodeData, "diff">;

const KIND_TEXT: Record<ChangeKind, string> = {
  added: "added",
  removed: "removed",
  changed: "changed",
  unchanged: "",
};

const DiffNodeView = memo(function DiffNodeView({ id, data }: NodeProps<DiffNode>) {
  return (
    <div
      className="diff-node"
      data-testid={`diff-node-${id}`}
      data-diff={data.kind}
      data-selected={data.selected}
    >
      {data.type !== "trigger" ? (
        <Handle type="target" position={Position.Left} isConnectable={false} />
      ) : null}
      <div className="diff-node-type">{nodeTypes[data.type as NodeType]?.label ?? data.type}</div>
      <div className="diff-node-name" title={data.label}>
        {data.label}
      </div>
      {data.kind !== "unchanged" || data.moved ? (
        <div className="diff-node-kind">{data.kind === "unchanged" ? "moved" : KIND_TEXT[data.kind]}</div>
      ) : null}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const NODE_TYPES = { diff: DiffNodeView };
const EDGE_COLORS = { added: "#10b981", removed: "#ef4444", unchanged: "#94a3b8" } as const;

/**
 * A read-only canvas of a diff: the newer definition's nodes plus the removed ones, added nodes
 * green, removed red, changed amber; edges added green, removed red and dashed. A click selects.
 */
export function DiffCanvas({
  diff,
  selectedId,
  onSelect,
  testId = "diff-canvas",
}: {
  diff: WorkflowDiff;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  testId?: string;
}) {
  const merged = useMemo(
    () => ({
      nodes: diff.nodes.map((n) => (n.after ?? n.before)!),
      edges: diff.edges.map((e) => ({ source: e.source, target: e.target })),
    }),
    [diff],
  );
  const positions = useMemo(() => positionsOf(merged), [merged]);
  const flowNodes = useMemo<DiffNode[]>(
    () =>
      diff.nodes.map((n) => {
        const node = (n.after ?? n.before)!;
        return {
          id: n.id,
          type: "diff",
          position: positions.get(n.id) ?? { x: 0, y: 0 },
          data: {
            label: node.name || node.id,
            type: node.type,
            kind: n.kind,
            moved: n.moved,
            selected: n.id === selectedId,
          },
          draggable: false,
          connectable: false,
        };
      }),
    [diff, positions, selectedId],
  );
  const flowEdges = useMemo<Edge[]>(
    () =>
      diff.edges.map((e) => ({
        id: `${e.kind}:${e.key}`,
        source: e.source,
        target: e.target,
        label: e.handle === "out" ? undefined : e.handle,
        className: `diff-edge-${e.kind}`,
        data: { kind: e.kind },
        style: {
          stroke: EDGE_COLORS[e.kind],
          strokeWidth: e.kind === "unchanged" ? 1.5 : 2.5,
          strokeDasharray: e.kind === "removed" ? "6 4" : undefined,
        },
      })),
    [diff],
  );
  return (
    <div className="diff-canvas" data-testid={testId}>
      <ReactFlowProvider>
        <ReactFlow
          nodes={flowNodes}
          edges={flowEdges}
          nodeTypes={NODE_TYPES}
          nodesDraggable={false}
          nodesConnectable={false}
          edgesFocusable={false}
          fitView
          fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
          minZoom={0.05}
          onNodeClick={(_, node) => onSelect(node.id)}
          onPaneClick={() => onSelect(null)}
          proOptions={{ hideAttribution: true }}
          aria-label="Diff canvas"
        >
          <Background gap={20} color="#e5e7eb" />
          <Controls showInteractive={false} />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}

/** The colour key of the diff canvas, with counts. */
export function DiffLegend({ diff }: { diff: WorkflowDiff }) {
  const { added, removed, changed, edgesAdded, edgesRemoved } = diff.counts;
  return (
    <div className="diff-legend" data-testid="diff-legend">
      <span style={{ ["--swatch" as string]: "#10b981" }}>{added} added</span>
      <span style={{ ["--swatch" as string]: "#ef4444" }}>{removed} removed</span>
      <span style={{ ["--swatch" as string]: "#f59e0b" }}>{changed} changed</span>
      <span style={{ ["--swatch" as string]: "#94a3b8" }}>
        edges +{edgesAdded} / −{edgesRemoved}
      </span>
    </div>
  );
}
