"use client";

import { useEffect } from "react";
import { useStores } from "./editor-context";
import { parseInputs } from "./run-controls";

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Builder keyboard shortcuts: Delete, Ctrl+Z / Ctrl+Y / Ctrl+Shift+Z, Ctrl+S, Ctrl+Enter,
 * Ctrl+C / Ctrl+V, Ctrl+D. While typing in a field only Ctrl+S and Ctrl+Enter apply.
 */
export function useShortcuts() {
  const { editor, run, actions } = useStores();
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
        const r = run.getState();
        const parsed = parseInputs(r.inputsText);
        if (!parsed.ok) s.notify("error", parsed.message);
        else void actions.startRunning({ mode: r.mode, inputs: parsed.inputs });
        return;
      }
      if (isTyping(e.target)) return;
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
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (editor.getState().definition !== editor.getState().savedDefinition) e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, [editor, run, actions]);
}
