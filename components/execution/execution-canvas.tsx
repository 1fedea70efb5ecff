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
import Link from "next/link";
import "@/components/versions/versions.css";
import { memo, useMemo } from "react";
import { LoopItemControls } from "@/components/loop/item-picker";
import { statusColor } from "@/components/ui/status-badge";
import { useTheme } from "@/components/ui/theme";
import { WaitingLine } from "@/components/wait/waiting-line";
import type { WaitingInfo } from "@/lib/contract/events";
import { DEFAULT_LOOP_SIZE, holdsBody, parentsFirst } from "@/lib/editor/bodies";
import { layoutDefinition } from "@/lib/editor/layout";
import type { EditorDefinition } from "@/lib/editor/types";
import type { LoopProgress, NodeStatus } from "@/lib/engine/ports";
import { handlesOf, type NodeType, nodeTypes } from "@/lib/nodes/registry";
import type { ExecutionNodeDetail } from "@/lib/runs/get-execution";
import { resolveEdges } from "@/lib/workflow/graph";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { nodeCostLabel, nodeCostOf } from "./cost";
import { positionsOf } from "./flow-layout";

/**
 * Where each node sits: the saved positions (body nodes relative to their loop's box) when the
 * definition has loops or every position, else a left-to-right layout; and each loop's box size.
 */
function layoutOf(definition: WorkflowDefinition): {
  positions: Map<string, { x: number; y: number }>;
  sizes: Map<string, { width: number; height: number }>;
} {
  const hasLoops = definition.nodes.some((n) => n.parentId !== undefined);
  if (!hasLoops) return { positions: positionsOf(definition), sizes: new Map() };
  let def = definition as unknown as EditorDefinition;
  if (def.nodes.some((n) => !n.position)) def = layoutDefinition(def);
  const positions = new Map(def.nodes.map((n) => [n.id, n.position ?? { x: 0, y: 0 }]));
  const sizes = new Map(
    def.nodes.filter((n) => holdsBody(n)).map((n) => [n.id, n.size ?? { ...DEFAULT_LOOP_SIZE }]),
  );
  return { positions, sizes };
}

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
  /** What a waiting node waits for (its links only where the viewer may see them). */
  waiting?: WaitingInfo;
  /** A `workflow` node's child execution. */
  childExecutionId?: string;
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
        {data.childExecutionId ? (
          <Link
            href={`/executions/${data.childExecutionId}`}
            className="tag nodrag nopan"
            data-testid={`node-child-${id}`}
            title="Open the child execution"
            onClick={(e) => e.stopPropagation()}
          >
            child ↗
          </Link>
        ) : null}
      </div>
      {data.status === "waiting" && data.waiting ? <WaitingLine nodeId={id} waiting={data.waiting} /> : null}
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

/** What a loop box on the execution canvas shows and does (its item controls). */
export interface LoopBoxProps {
  progress: LoopProgress | undefined;
  index: number;
  onPick: (index: number) => void;
  firstFailed: number | undefined;
  onRetryFailed?: () => void;
}

type LoopNodeData = StatusNodeData & { loop: LoopBoxProps };
type LoopBoxNode = Node<LoopNodeData, "loop">;

/** A loop: a box holding its body nodes, with its status, counter and item controls on top. */
const LoopNodeView = memo(function LoopNodeView({ id, data }: NodeProps<LoopBoxNode>) {
  const color = statusColor(data.status);
  return (
    <div
      className="flow-node flow-loop"
      data-testid={`node-${id}`}
      data-status={data.status}
      data-selected={data.selected}
      style={{ ["--node-color" as string]: color }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} style={{ top: 28 }} />
      <div className="flow-loop-head">
        <div className="flow-node-type">Loop</div>
        <div className="flow-node-name" title={data.label}>
          {data.label}
        </div>
        <div className="flow-node-status">
          <span className="badge-dot" style={{ background: color }} aria-hidden />
          {data.status === "idle" ? "not run" : data.status}
        </div>
        {data.status === "waiting" && data.waiting ? (
          <WaitingLine nodeId={id} waiting={data.waiting} />
        ) : null}
        <LoopItemControls loopId={id} {...data.loop} />
      </div>
      {data.handles.map((h, i) => (
        <Handle
          key={h}
          id={h}
          type="source"
          position={Position.Right}
          isConnectable={false}
          style={{ top: 28 + i * 18 }}
        />
      ))}
    </div>
  );
});

const NODE_TYPES = { status: StatusNodeView, loop: LoopNodeView };

/** A waiting node's `waiting`, without its links when they may not be shown. */
function waitingOf(
  view: { status: NodeStatus; waiting?: WaitingInfo } | undefined,
  links: boolean,
): WaitingInfo | undefined {
  if (view?.status !== "waiting" || !view.waiting) return undefined;
  if (links) return view.waiting;
  const { resumeUrl: _resume, approvalUrl: _approval, ...rest } = view.waiting;
  return rest;
}

/** A read-only canvas of the definition that ran, each node in its status color; a click selects. */
export function ExecutionCanvas({
  definition,
  nodes,
  selectedId,
  onSelect,
  itemNode,
  loops,
  links = true,
  childLinks,
}: {
  definition: WorkflowDefinition;
  nodes: Record<string, ExecutionNodeDetail>;
  selectedId: string | null;
  onSelect: (nodeId: string | null) => void;
  /** A loop body node's state in its loop's picked item. */
  itemNode?: (nodeId: string) => { status: NodeStatus; waiting?: WaitingInfo } | undefined;
  /** Each loop's item controls, by loop id. */
  loops?: Record<string, LoopBoxProps>;
  /** Show waiting nodes' resume and approval links (the owner's page; never a share link). */
  links?: boolean;
  /** The child execution of each `workflow` node, by node id. */
  childLinks?: Record<string, string>;
}) {
  const layout = useMemo(() => layoutOf(definition), [definition]);
  const flowNodes = useMemo<Array<StatusNode | LoopBoxNode>>(
    () =>
      parentsFirst(definition.nodes).map((n) => {
        const inBody = n.parentId !== undefined;
        const detail = inBody ? undefined : nodes[n.id];
        const cost = nodeCostOf(detail);
        const data: StatusNodeData = {
          label: n.name || n.id,
          type: n.type,
          status: (inBody ? itemNode?.(n.id)?.status : detail?.status) ?? "idle",
          handles: handlesOf(n),
          cached: detail?.cached ?? false,
          reused: detail?.reused === true,
          selected: n.id === selectedId,
          cost: cost ? nodeCostLabel(cost) : undefined,
          waiting: waitingOf(inBody ? itemNode?.(n.id) : detail, links),
          childExecutionId: inBody ? undefined : childLinks?.[n.id],
        };
        const base = {
          id: n.id,
          position: layout.positions.get(n.id) ?? { x: 0, y: 0 },
          draggable: false,
          connectable: false,
          ...(inBody ? { parentId: n.parentId } : {}),
        };
        const box = layout.sizes.get(n.id);
        if (box) {
          const loop = loops?.[n.id] ?? {
            progress: undefined,
            index: 0,
            onPick: () => {},
            firstFailed: undefined,
          };
          return {
            ...base,
            type: "loop" as const,
            width: box.width,
            height: box.height,
            data: { ...data, loop },
          };
        }
        return { ...base, type: "status" as const, data };
      }),
    [definition, nodes, layout, selectedId, itemNode, loops, links, childLinks],
  );
  const flowEdges = useMemo<Edge[]>(
    () =>
      resolveEdges(definition).map((e) => {
        const statusOf = (id: string) => itemNode?.(id)?.status ?? nodes[id]?.status;
        const source = statusOf(e.source);
        const target = statusOf(e.target);
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
    [definition, nodes, itemNode],
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
