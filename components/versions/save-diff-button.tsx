"use client";

import "./versions.css";
import { useState } from "react";
import { useEditor, useStores } from "@/components/builder/editor-context";
import { isDirty } from "@/lib/editor/store";
import { asGraph } from "@/lib/editor/types";
import { WorkflowDiffView } from "./workflow-diff-view";

/**
 * The builder's "what am I about to save": a toolbar button that opens the diff between the last
 * save and the canvas as it is now, with an optional message for the version the save writes.
 */
export function SaveDiffButton() {
  const { editor, actions } = useStores();
  const dirty = useEditor(isDirty);
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState("");
  const [saving, setSaving] = useState(false);
  const state = open ? editor.getState() : undefined;

  const save = async () => {
    setSaving(true);
    const ok = await actions.save(message.trim() || undefined);
    setSaving(false);
    if (ok) {
      setMessage("");
      setOpen(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className="btn btn-sm btn-ghost"
        onClick={() => setOpen(true)}
        aria-label="Review changes before saving"
        title="What am I about to save?"
        data-testid="review-changes"
      >
        Changes
      </button>
      {state ? (
        <div className="dialog-backdrop">
          <div className="dialog-panel stack" role="dialog" aria-modal="true" aria-label="Unsaved changes">
            <div className="row" style={{ justifyContent: "space-between" }}>
              <h2 style={{ margin: 0, fontSize: 16 }}>
                {dirty ? `Unsaved changes since v${state.version}` : "No unsaved changes"}
              </h2>
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => setOpen(false)}>
                Close
              </button>
            </div>
            <WorkflowDiffView
              before={asGraph(state.savedDefinition)}
              after={asGraph(state.definition)}
              testId="save-diff"
            />
            <div className="row">
              <input
                className="input"
                style={{ flex: 1 }}
                value={message}
                maxLength={500}
                onChange={(e) => setMessage(e.target.value)}
                placeholder="What changed? (optional, kept with the version)"
                aria-label="Version message"
                data-testid="save-message"
              />
              <button
                type="button"
                className="btn btn-sm btn-primary"
                disabled={!dirty || saving}
                onClick={() => void save()}
                data-testid="save-with-message"
              >
                Save
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </>
  );
}
