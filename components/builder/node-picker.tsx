"use client";

import { useReactFlow } from "@xyflow/react";
import { useMemo, useState } from "react";
import { type Command, matchCommands } from "@/lib/editor/commands";
import { NODE_TYPES, type NodeType, nodeTypes } from "@/lib/nodes/registry";
import { useStores, useUi } from "./editor-context";
import { SearchList } from "./search-list";
import { TypeIcon } from "./type-icon";

const PICKER_WIDTH = 300;
const PICKER_HEIGHT = 360;

/** The node types the picker offers after a handle (a trigger cannot have inputs). */
function typesAfter(connecting: boolean): NodeType[] {
  return connecting ? NODE_TYPES.filter((t) => t !== "trigger") : [...NODE_TYPES];
}

/**
 * Opened from a node's "+" or by dropping a new edge on empty canvas: pick a node type, and the
 * new node is added there and connected to the handle it came from.
 */
export function NodePicker() {
  const { editor, ui } = useStores();
  const picker = useUi((s) => s.picker);
  const [query, setQuery] = useState("");
  const { setCenter, getZoom } = useReactFlow();

  const types = useMemo(() => typesAfter(picker?.from !== undefined), [picker]);
  const commands = useMemo<Command[]>(
    () =>
      types.map((t) => ({
        id: t,
        group: "Add node",
        label: nodeTypes[t].label,
        keywords: `${t} ${nodeTypes[t].description}`,
      })),
    [types],
  );
  if (!picker) return null;
  const items = matchCommands(commands, query).map((c) => ({
    id: c.id,
    label: c.label,
    detail: nodeTypes[c.id as NodeType].description,
    icon: <TypeIcon type={c.id as NodeType} />,
  }));

  const close = () => {
    setQuery("");
    ui.getState().closePicker();
  };
  const pick = (id: string) => {
    const type = id as NodeType;
    const s = editor.getState();
    const newId = picker.from
      ? s.addNodeAfter(type, picker.from, picker.position)
      : s.addNode(type, picker.position);
    close();
    const node = editor.getState().definition.nodes.find((n) => n.id === newId);
    if (node?.position && !picker.position) {
      requestAnimationFrame(
        () =>
          void setCenter(node.position!.x + 110, node.position!.y + 36, { zoom: getZoom(), duration: 200 }),
      );
    }
  };

  const left = Math.max(8, Math.min(picker.screen.x, window.innerWidth - PICKER_WIDTH - 8));
  const top = Math.max(8, Math.min(picker.screen.y, window.innerHeight - PICKER_HEIGHT - 8));
  return (
    <>
      <div className="bn-overlay-scrim is-clear" onMouseDown={close} aria-hidden="true" />
      <div
        className="bn-picker"
        role="dialog"
        aria-label={picker.from ? `Add a node after ${picker.from.source}` : "Add a node"}
        style={{ left, top, width: PICKER_WIDTH }}
      >
        <SearchList
          items={items}
          query={query}
          onQuery={setQuery}
          onPick={pick}
          onClose={close}
          placeholder="Search node types…"
          label="Node type"
          testId="node-picker"
        />
      </div>
    </>
  );
}
