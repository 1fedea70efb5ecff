"use client";

import { useReactFlow } from "@xyflow/react";
import Link from "next/link";
import { useRef } from "react";
import { SaveDiffButton } from "@/components/versions/save-diff-button";
import { exportFileName, exportWorkflowJson } from "@/lib/editor/import-export";
import { isDirty } from "@/lib/editor/store";
import { useEditor, useStores, useUi } from "./editor-context";
import { FIT_VIEW } from "./fit";
import { RunControls } from "./run-controls";

/** The builder's top bar: name, save state, history, layout, import/export and running. */
export function BuilderToolbar() {
  const { editor, actions, ui } = useStores();
  const workflowId = useEditor((s) => s.workflowId);
  const paletteCollapsed = useUi((u) => u.paletteCollapsed);
  const sideCollapsed = useUi((u) => u.sideCollapsed);
  const name = useEditor((s) => s.definition.name);
  const dirty = useEditor(isDirty);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const hasSelection = useEditor((s) => s.selectedNodes.length + s.selectedEdges.length > 0);
  const fileInput = useRef<HTMLInputElement>(null);
  const { fitView } = useReactFlow();
  const s = editor.getState;

  const exportJson = () => {
    const def = s().definition;
    const blob = new Blob([exportWorkflowJson(def)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = exportFileName(def);
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    const result = s().importJson(await file.text());
    if (result.ok) requestAnimationFrame(() => void fitView(FIT_VIEW));
    if (fileInput.current) fileInput.current.value = "";
  };

  return (
    <div className="bn-toolbar" role="toolbar" aria-label="Builder">
      <button
        type="button"
        className="bn-icon-btn"
        onClick={() => ui.getState().togglePalette()}
        aria-label={paletteCollapsed ? "Show the node palette" : "Hide the node palette"}
        aria-pressed={!paletteCollapsed}
        title={paletteCollapsed ? "Show nodes" : "Hide nodes"}
        data-testid="toggle-palette"
      >
        <PanelIcon side="left" />
      </button>
      <input
        className="bn-name"
        value={name}
        onChange={(e) => s().setName(e.target.value)}
        onBlur={() => s().endEdit()}
        aria-label="Workflow name"
        data-testid="workflow-name"
        maxLength={200}
      />
      <span
        className={`bn-save-state${dirty ? " is-dirty" : ""}`}
        data-testid="save-state"
        data-dirty={dirty ? "true" : "false"}
        aria-live="polite"
      >
        {dirty ? "Unsaved changes" : "Saved"}
      </span>
      <button
        type="button"
        className={`btn btn-sm${dirty ? " btn-primary" : ""}`}
        onClick={() => void actions.save()}
        aria-label="Save workflow (Ctrl+S)"
        title="Save (Ctrl+S)"
        data-testid="save-button"
      >
        Save
      </button>
      <SaveDiffButton />
      <span className="bn-divider" />
      <button
        type="button"
        className="bn-icon-btn"
        onClick={() => s().undo()}
        disabled={!canUndo}
        aria-label="Undo (Ctrl+Z)"
        title="Undo (Ctrl+Z)"
        data-testid="undo"
      >
        ↶
      </button>
      <button
        type="button"
        className="bn-icon-btn"
        onClick={() => s().redo()}
        disabled={!canRedo}
        aria-label="Redo (Ctrl+Y)"
        title="Redo (Ctrl+Y)"
        data-testid="redo"
      >
        ↷
      </button>
      <button
        type="button"
        className="bn-icon-btn"
        onClick={() => s().duplicateSelection()}
        disabled={!hasSelection}
        aria-label="Duplicate selection (Ctrl+D)"
        title="Duplicate (Ctrl+D)"
        data-testid="duplicate"
      >
        <svg viewBox="0 0 16 16" width="15" height="15" aria-hidden="true">
          <rect
            x="5"
            y="5"
            width="8.5"
            height="8.5"
            rx="1.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.4"
          />
          <path d="M3 10.5V3.5A1 1 0 0 1 4 2.5h6.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
        </svg>
      </button>
      <button
        type="button"
        className="bn-icon-btn"
        onClick={() => s().deleteSelection()}
        disabled={!hasSelection}
        aria-label="Delete selection (Delete)"
        title="Delete (Del)"
        data-testid="delete"
      >
        <svg viewBox="0 0 16 16" width="15" height="15" aria-hidden="true">
          <path
            d="M2.5 4h11M6 4V2.5h4V4M4 4l.7 9.5h6.6L12 4M6.8 6.5v4.5M9.2 6.5v4.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.4"
            strokeLinecap="round"
          />
        </svg>
      </button>
      <button
        type="button"
        className="btn btn-sm btn-ghost"
        onClick={() => {
          s().autoLayout();
          requestAnimationFrame(() => void fitView(FIT_VIEW));
        }}
        aria-label="Auto-layout"
        data-testid="auto-layout"
      >
        Auto-layout
      </button>
      <span className="bn-divider" />
      <button
        type="button"
        className="btn btn-sm btn-ghost"
        onClick={exportJson}
        aria-label="Export JSON"
        data-testid="export-json"
      >
        Export
      </button>
      <button
        type="button"
        className="btn btn-sm btn-ghost"
        onClick={() => fileInput.current?.click()}
        aria-label="Import JSON"
        data-testid="import-json"
      >
        Import
      </button>
      <input
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        hidden
        onChange={(e) => void importFile(e.target.files?.[0])}
        aria-label="Workflow JSON file"
        data-testid="import-file"
      />
      <span className="bn-divider" />
      <Link
        href={`/workflows/${workflowId}/executions`}
        className="btn btn-sm btn-ghost"
        data-testid="history-link"
      >
        History
      </Link>
      <button
        type="button"
        className="btn btn-sm btn-ghost bn-kbd-btn"
        onClick={() => ui.getState().setCommandsOpen(true)}
        aria-label="Command palette (Ctrl+K)"
        title="Commands (Ctrl+K)"
        data-testid="open-commands"
      >
        <kbd>Ctrl K</kbd>
      </button>
      <button
        type="button"
        className="bn-icon-btn"
        onClick={() => ui.getState().setShortcutsOpen(true)}
        aria-label="Keyboard shortcuts (?)"
        title="Keyboard shortcuts (?)"
        data-testid="open-shortcuts"
      >
        ?
      </button>
      <div className="bn-toolbar-spacer" />
      <RunControls />
      <button
        type="button"
        className="bn-icon-btn"
        onClick={() => ui.getState().toggleSide()}
        aria-label={sideCollapsed ? "Show the side panel" : "Hide the side panel"}
        aria-pressed={!sideCollapsed}
        title={sideCollapsed ? "Show panel" : "Hide panel"}
        data-testid="toggle-side"
      >
        <PanelIcon side="right" />
      </button>
    </div>
  );
}

function PanelIcon({ side }: { side: "left" | "right" }) {
  return (
    <svg viewBox="0 0 16 16" width="15" height="15" aria-hidden="true">
      <rect
        x="2"
        y="2.5"
        width="12"
        height="11"
        rx="1.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
      />
      <path d={side === "left" ? "M6 2.5v11" : "M10 2.5v11"} stroke="currentColor" strokeWidth="1.4" />
    </svg>
  );
}
