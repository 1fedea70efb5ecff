"use client";

import { useReactFlow } from "@xyflow/react";
import { type DragEvent, memo } from "react";
import { NODE_TYPES, type NodeType, nodeTypes } from "@/lib/nodes/registry";
import { useStores } from "./editor-context";
import { FIT_VIEW } from "./fit";
import { TypeIcon } from "./type-icon";

/** The drag data type of a palette item. */
export const PALETTE_MIME = "application/x-braid-node-type";

/** Every node type: click to add one, or drag it onto the canvas. */
function PaletteView() {
  const { editor } = useStores();
  const { fitView, setCenter, getZoom } = useReactFlow();

  const add = (type: NodeType) => {
    const id = editor.getState().addNode(type);
    const node = editor.getState().definition.nodes.find((n) => n.id === id);
    requestAnimationFrame(() => {
      if (editor.getState().definition.nodes.length <= 12) void fitView(FIT_VIEW);
      else if (node?.position)
        void setCenter(node.position.x + 100, node.position.y + 30, { zoom: getZoom() });
    });
  };

  const onDragStart = (e: DragEvent, type: NodeType) => {
    e.dataTransfer.setData(PALETTE_MIME, type);
    e.dataTransfer.effectAllowed = "copy";
  };

  return (
    <nav className="bn-palette" aria-label="Node palette">
      <h2 className="bn-panel-title">Nodes</h2>
      <ul>
        {NODE_TYPES.map((type) => (
          <li key={type}>
            <button
              type="button"
              className="bn-palette-item"
              draggable
              onDragStart={(e) => onDragStart(e, type)}
              onClick={() => add(type)}
              aria-label={`Add ${nodeTypes[type].label} node`}
              title={nodeTypes[type].description}
              data-testid={`palette-${type}`}
            >
              <TypeIcon type={type} />
              <span className="bn-palette-text">
                <span className="bn-palette-label">{nodeTypes[type].label}</span>
                <span className="bn-palette-desc">{nodeTypes[type].description}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <p className="bn-palette-hint" data-testid="palette-hint">
        Drag from a node&apos;s right edge to another node to connect them, or to empty canvas to add one.{" "}
        <kbd>Ctrl</kbd>+<kbd>K</kbd> commands, <kbd>?</kbd> shortcuts.
      </p>
    </nav>
  );
}

export const Palette = memo(PaletteView);
