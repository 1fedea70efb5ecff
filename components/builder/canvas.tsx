"use client";

import {
  Background,
  BackgroundVariant,
  type Connection,
  Controls,
  type EdgeChange,
  type EdgeTypes,
  type FinalConnectionState,
  MiniMap,
  type NodeChange,
  type NodeTypes,
  ReactFlow,
  useReactFlow,
} from "@xyflow/react";
import { type DragEvent, useCallback, useMemo, useState } from "react";
import { useTheme } from "@/components/ui/theme";
import { absolutePosition, loopAt, withDescendants } from "@/lib/editor/bodies";
import { createFlowNodeMapper, type FlowEdge, type FlowNode, toFlowEdges } from "@/lib/editor/flow";
import { DEFAULT_NODE_SIZE } from "@/lib/editor/layout";
import type { RunState } from "@/lib/editor/run-store";
import type { NodeGeometryChange } from "@/lib/editor/store";
import { NODE_TYPES, type NodeType, nodeModuleOf } from "@/lib/nodes/registry";
import { useEditor, useRunState, useStores } from "./editor-context";
import { FIT_VIEW } from "./fit";
import { LoopNode } from "./loop-node";
import { PALETTE_MIME } from "./palette";
import { WorkflowEdge } from "./workflow-edge";
import { WorkflowNode } from "./workflow-node";

const nodeTypes: NodeTypes = { workflow: WorkflowNode, loop: LoopNode };
const edgeTypes: EdgeTypes = { workflow: WorkflowEdge };
const proOptions = { hideAttribution: true };
const minimapColor = (n: FlowNode) => nodeModuleOf(n.data.node.type)?.color ?? "#9ca3af";

/** Past this many running nodes, flowing edges stop animating (repainting them all costs frames). */
const ANIMATED_EDGES_LIMIT = 24;
function manyRunning(s: RunState): boolean {
  let running = 0;
  for (const id in s.nodes)
    if (s.nodes[id]?.status === "running" && ++running > ANIMATED_EDGES_LIMIT) return true;
  return false;
}

/** The React Flow canvas over the editor document. */
export function Canvas() {
  const { editor, ui } = useStores();
  const definition = useEditor((s) => s.definition);
  const selectedNodes = useEditor((s) => s.selectedNodes);
  const selectedEdges = useEditor((s) => s.selectedEdges);
  const measured = useEditor((s) => s.measured);
  const [mapNodes] = useState(createFlowNodeMapper);
  const busy = useRunState(manyRunning);
  const { screenToFlowPosition } = useReactFlow();
  const { resolved: theme } = useTheme();

  const nodes = useMemo(
    () => mapNodes(definition, new Set(selectedNodes), measured),
    [mapNodes, definition, selectedNodes, measured],
  );
  const edges = useMemo(() => toFlowEdges(definition, new Set(selectedEdges)), [definition, selectedEdges]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const geometry: NodeGeometryChange[] = [];
      for (const c of changes) {
        if (c.type === "position" || c.type === "dimensions" || c.type === "select") geometry.push(c);
      }
      if (geometry.length > 0) editor.getState().applyGeometry(geometry);
    },
    [editor],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<FlowEdge>[]) => {
      const s = editor.getState();
      let selected: Set<string> | undefined;
      for (const c of changes) {
        if (c.type !== "select") continue;
        selected ??= new Set(s.selectedEdges);
        if (c.selected) selected.add(c.id);
        else selected.delete(c.id);
      }
      if (selected) s.select(s.selectedNodes, [...selected]);
    },
    [editor],
  );

  const onConnect = useCallback((c: Connection) => void editor.getState().connect(c), [editor]);
  // A new edge dropped on empty canvas opens the node picker there; the picked node gets connected.
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || state.toNode || !state.fromNode || state.fromHandle?.type !== "source") return;
      const target = event.target as Element | null;
      if (!target?.classList.contains("react-flow__pane")) return;
      const point = "changedTouches" in event ? event.changedTouches[0] : event;
      if (!point) return;
      const flow = screenToFlowPosition({ x: point.clientX, y: point.clientY });
      ui.getState().openPicker({
        from: { source: state.fromNode.id, handle: state.fromHandle.id },
        screen: { x: point.clientX, y: point.clientY },
        position: { x: Math.round(flow.x), y: Math.round(flow.y - 36) },
      });
    },
    [ui, screenToFlowPosition],
  );
  // A node dropped into a loop's box joins its body; dragged out of every box, it leaves it.
  const onDragStop = useCallback(
    (_: unknown, _node: FlowNode, dragged: FlowNode[]) => {
      const s = editor.getState();
      s.endEdit();
      const def = s.definition;
      const ids = new Set(dragged.map((n) => n.id));
      const moving = dragged.filter((n) => n.parentId === undefined || !ids.has(n.parentId));
      const exclude = withDescendants(def, ids);
      const byTarget = new Map<string | undefined, string[]>();
      for (const n of moving) {
        const at = absolutePosition(def, n.id);
        const size = n.measured?.width
          ? n.measured
          : n.width && n.height
            ? { width: n.width, height: n.height }
            : DEFAULT_NODE_SIZE;
        const center = { x: at.x + (size.width ?? 0) / 2, y: at.y + Math.min(size.height ?? 0, 60) / 2 };
        const target = loopAt(def, center, exclude)?.id;
        const current = def.nodes.find((x) => x.id === n.id)?.parentId;
        if (target === current) continue;
        byTarget.set(target, [...(byTarget.get(target) ?? []), n.id]);
      }
      for (const [target, list] of byTarget) editor.getState().moveIntoLoop(list, target);
    },
    [editor],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(PALETTE_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(PALETTE_MIME) as NodeType;
      if (!NODE_TYPES.includes(type)) return;
      e.preventDefault();
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const s = editor.getState();
      const loop = loopAt(s.definition, p);
      s.addNode(type, { x: Math.round(p.x - 100), y: Math.round(p.y - 30) }, loop?.id);
    },
    [editor, screenToFlowPosition],
  );

  return (
    <section
      className={`bn-canvas${busy ? " is-busy" : ""}`}
      aria-label="Canvas"
      data-testid="canvas"
      data-theme={theme}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onNodeDragStop={onDragStop}
        deleteKeyCode={null}
        multiSelectionKeyCode={["Meta", "Control", "Shift"]}
        fitView
        fitViewOptions={FIT_VIEW}
        colorMode={theme}
        minZoom={0.05}
        onlyRenderVisibleElements={definition.nodes.length > 150}
        proOptions={proOptions}
        defaultEdgeOptions={{ type: "workflow" }}
        aria-label="Workflow canvas"
      >
        <Background
          variant={BackgroundVariant.Dots}
          gap={18}
          size={1.2}
          color={theme === "dark" ? "#2c3648" : "#cbd2dc"}
        />
        <MiniMap<FlowNode>
          pannable
          zoomable
          nodeColor={minimapColor}
          ariaLabel="Minimap"
          style={{ width: 150, height: 96 }}
          data-testid="minimap"
        />
        <Controls aria-label="Canvas controls" />
      </ReactFlow>
      {definition.nodes.length === 0 && (
        <div className="bn-empty" data-testid="canvas-empty">
          <strong>An empty canvas</strong>
          <span>
            Drag a node from the palette, or click one to add it. Every workflow starts with a trigger.
          </span>
        </div>
      )}
    </section>
  );
}
