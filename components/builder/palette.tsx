"use client";

import { useReactFlow } from "@xyflow/react";
import { type DragEvent, type KeyboardEvent, memo, useMemo, useState } from "react";
import { NODE_TYPES, type NodeType, nodeTypes } from "@/lib/nodes/registry";
import { useStores } from "./editor-context";
import { FIT_VIEW } from "./fit";
import { filterPalette, type PaletteEntry } from "./palette-search";
import { TypeIcon } from "./type-icon";

/** The drag data type of a palette item. */
export const PALETTE_MIME = "application/x-braid-node-type";

/**
 * Every node type: click to add one, or drag it onto the canvas. The search box at the top filters
 * them by label and description as you type; Enter adds the first match, Escape clears it.
 */
function PaletteView() {
  const { editor } = useStores();
  const { fitView, setCenter, getZoom } = useReactFlow();
  const [query, setQuery] = useState("");
  const entries = useMemo<PaletteEntry<NodeType>[]>(
    () =>
      NODE_TYPES.map((type) => ({
        type,
        label: nodeTypes[type].label,
        description: nodeTypes[type].description,
      })),
    [],
  );
  const shown = useMemo(() => filterPalette(entries, query), [entries, query]);

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

  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const first = shown[0];
      if (first) {
        add(first.type);
        setQuery("");
      }
    } else if (e.key === "Escape" && query !== "") {
      e.preventDefault();
      e.stopPropagation();
      setQuery("");
    }
  };

  return (
    <nav className="bn-palette" aria-label="Node palette">
      <h2 className="bn-panel-title">Nodes</h2>
      <input
        type="search"
        className="bn-palette-search"
        placeholder="Search nodes…"
        aria-label="Search node types"
        aria-controls="bn-palette-list"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onSearchKey}
        spellCheck={false}
        autoComplete="off"
        data-testid="palette-search"
      />
      {shown.length === 0 && (
        <p className="bn-palette-empty" role="status" data-testid="palette-empty">
          No node type matches “{query.trim()}”.
        </p>
      )}
      <ul id="bn-palette-list">
        {shown.map(({ type }) => (
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
