"use client";

import { useReactFlow } from "@xyflow/react";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { setThemeChoice } from "@/components/ui/theme";
import { type Command, matchCommands } from "@/lib/editor/commands";
import { NODE_TYPES, type NodeType, nodeTypes } from "@/lib/nodes/registry";
import { useEditor, useStores, useUi } from "./editor-context";
import { FIT_VIEW } from "./fit";
import { SearchList } from "./search-list";
import { TypeIcon } from "./type-icon";
import { confirmLeave } from "./use-leave-guard";
import { runWithInputs } from "./use-shortcuts";

const ACTIONS: Command[] = [
  {
    id: "action:run",
    group: "Actions",
    label: "Run workflow",
    shortcut: "Ctrl+Enter",
    keywords: "start execute",
  },
  { id: "action:save", group: "Actions", label: "Save", shortcut: "Ctrl+S" },
  { id: "action:history", group: "Actions", label: "Open history", keywords: "executions runs past" },
  { id: "action:layout", group: "Actions", label: "Auto-layout", keywords: "arrange tidy" },
  { id: "action:fit", group: "Actions", label: "Zoom to fit", keywords: "view fit all" },
  { id: "action:select-all", group: "Actions", label: "Select all nodes", shortcut: "Ctrl+A" },
  {
    id: "action:shortcuts",
    group: "Actions",
    label: "Keyboard shortcuts",
    shortcut: "?",
    keywords: "help keys",
  },
  { id: "action:dark", group: "Actions", label: "Dark theme", keywords: "mode night appearance" },
  { id: "action:light", group: "Actions", label: "Light theme", keywords: "mode day appearance" },
  { id: "action:system", group: "Actions", label: "System theme", keywords: "mode appearance auto" },
];

/** Ctrl/Cmd+K: search and run a command, add a node, or jump to a node. */
export function CommandPalette() {
  const { editor, run, actions, ui } = useStores();
  const open = useUi((s) => s.commandsOpen);
  const nodes = useEditor((s) => s.definition.nodes);
  const workflowId = useEditor((s) => s.workflowId);
  const [query, setQuery] = useState("");
  const router = useRouter();
  const { fitView, setCenter, getZoom } = useReactFlow();

  const commands = useMemo<Command[]>(
    () => [
      ...ACTIONS,
      ...NODE_TYPES.map<Command>((t) => ({
        id: `add:${t}`,
        group: "Add node",
        label: `Add ${nodeTypes[t].label}`,
        keywords: `${t} new ${nodeTypes[t].description}`,
      })),
      ...nodes.map<Command>((n) => ({
        id: `goto:${n.id}`,
        group: "Go to node",
        label: n.name || n.id,
        keywords: `${n.id} ${n.type} ${nodeTypes[n.type].label} find jump`,
      })),
    ],
    [nodes],
  );
  if (!open) return null;

  const close = () => {
    setQuery("");
    ui.getState().setCommandsOpen(false);
  };
  const fitAll = () => requestAnimationFrame(() => void fitView(FIT_VIEW));

  const pick = (id: string) => {
    close();
    const s = editor.getState();
    const [kind, arg = ""] = [id.slice(0, id.indexOf(":")), id.slice(id.indexOf(":") + 1)];
    if (kind === "add") {
      s.addNode(arg as NodeType);
      fitAll();
    } else if (kind === "goto") {
      const node = s.definition.nodes.find((n) => n.id === arg);
      s.select([arg]);
      if (node?.position)
        void setCenter(node.position.x + 110, node.position.y + 36, {
          zoom: Math.max(getZoom(), 0.9),
          duration: 250,
        });
    } else if (arg === "run") runWithInputs(editor, run, actions);
    else if (arg === "save") void actions.save();
    else if (arg === "history") {
      if (confirmLeave(editor)) router.push(`/workflows/${workflowId}/executions`);
    } else if (arg === "layout") {
      s.autoLayout();
      fitAll();
    } else if (arg === "fit") fitAll();
    else if (arg === "select-all") s.selectAll();
    else if (arg === "shortcuts") ui.getState().setShortcutsOpen(true);
    else if (arg === "dark" || arg === "light" || arg === "system") setThemeChoice(arg);
  };

  const items = matchCommands(commands, query)
    .slice(0, 60)
    .map((c) => {
      const node = c.id.startsWith("goto:") ? nodes.find((n) => `goto:${n.id}` === c.id) : undefined;
      const type = c.id.startsWith("add:") ? (c.id.slice(4) as NodeType) : node?.type;
      return {
        id: c.id,
        label: c.label,
        group: c.group,
        shortcut: c.shortcut,
        detail: node ? <code>{node.id}</code> : undefined,
        icon: type ? (
          <TypeIcon type={type} />
        ) : (
          <span className="bn-search-glyph" aria-hidden="true">
            ›
          </span>
        ),
      };
    });

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes; Esc does too
    <div className="bn-overlay-scrim" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="bn-dialog bn-commands" role="dialog" aria-modal="true" aria-label="Command palette">
        <SearchList
          items={items}
          query={query}
          onQuery={setQuery}
          onPick={pick}
          onClose={close}
          placeholder="Type a command, a node type or a node name…"
          label="Command"
          testId="command-palette"
        />
      </div>
    </div>
  );
}
