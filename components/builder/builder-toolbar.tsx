"use client";

import { useReactFlow } from "@xyflow/react";
import { useRef } from "react";
import { SaveDiffButton } from "@/components/versions/save-diff-button";
import { exportFileName, exportWorkflowJson } from "@/lib/editor/import-export";
import { isDirty } from "@/lib/editor/store";
import { useEditor, useStores } from "./editor-context";
import { RunControls } from "./run-controls";

/** The builder's top bar: name, save state, history, layout, import/export and running. */
export function BuilderToolbar() {
  const { editor, actions } = useStores();
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
    if (result.ok) requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1.2 }));
    if (fileInput.current) fileInput.current.value = "";
  };

  return (
    <div className="bn-toolbar" role="toolbar" aria-label="Builder">
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
          requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1.2 }));
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
      <div className="bn-toolbar-spacer" />
      <RunControls />
    </div>
  );
}
