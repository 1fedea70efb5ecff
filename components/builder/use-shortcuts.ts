"use client";

import { useEffect } from "react";
import type { RunStore } from "@/lib/editor/run-store";
import type { EditorStore } from "@/lib/editor/store";
import type { BuilderActions } from "./builder-actions";
import { useStores } from "./editor-context";
import { parseInputs } from "./run-controls";

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** Runs the workflow with the inputs typed in the Run popover, or says why they are not JSON. */
export function runWithInputs(editor: EditorStore, run: RunStore, actions: BuilderActions): void {
  const r = run.getState();
  const parsed = parseInputs(r.inputsText);
  if (!parsed.ok) editor.getState().notify("error", parsed.message);
  else void actions.startRunning({ mode: r.mode, inputs: parsed.inputs });
}

/**
 * Builder keyboard shortcuts (listed by the "?" overlay, lib/editor/commands.ts SHORTCUTS):
 * Delete, Ctrl+Z / Ctrl+Y / Ctrl+Shift+Z, Ctrl+S, Ctrl+Enter, Ctrl+K, Ctrl+A, Ctrl+C / Ctrl+V,
 * Ctrl+D, ?, Esc. While typing in a field only Ctrl+S, Ctrl+Enter, Ctrl+K and Esc apply.
 */
export function useShortcuts() {
  const { editor, run, actions, ui } = useStores();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const s = editor.getState();
      if (mod && key === "s") {
        e.preventDefault();
        void actions.save();
        return;
      }
      if (mod && key === "enter") {
        e.preventDefault();
        runWithInputs(editor, run, actions);
        return;
      }
      if (mod && key === "k") {
        e.preventDefault();
        ui.getState().setCommandsOpen(!ui.getState().commandsOpen);
        return;
      }
      if (key === "escape" && ui.getState().closeOverlay()) {
        e.preventDefault();
        return;
      }
      if (isTyping(e.target)) return;
      if (key === "?" || (e.shiftKey && key === "/")) {
        e.preventDefault();
        ui.getState().setShortcutsOpen(!ui.getState().shortcutsOpen);
        return;
      }
      if (mod && key === "a") {
        e.preventDefault();
        s.selectAll();
        return;
      }
      if (key === "delete" || key === "backspace") {
        e.preventDefault();
        s.deleteSelection();
      } else if (mod && key === "z") {
        e.preventDefault();
        if (e.shiftKey) s.redo();
        else s.undo();
      } else if (mod && key === "y") {
        e.preventDefault();
        s.redo();
      } else if (mod && key === "c") {
        s.copySelection();
      } else if (mod && key === "v") {
        e.preventDefault();
        s.paste();
      } else if (mod && key === "d") {
        e.preventDefault();
        s.duplicateSelection();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [editor, run, actions, ui]);
}
