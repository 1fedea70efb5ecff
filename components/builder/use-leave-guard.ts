"use client";

import { useEffect } from "react";
import { type EditorStore, isDirty } from "@/lib/editor/store";
import { useStores } from "./editor-context";

/** The question asked before unsaved work is left behind. */
export const LEAVE_MESSAGE = "This workflow has unsaved changes. Leave without saving them?";

/** Whether the builder may be left: true when nothing is unsaved or the user confirms. */
export function confirmLeave(editor: EditorStore): boolean {
  return !isDirty(editor.getState()) || window.confirm(LEAVE_MESSAGE);
}

/** The in-app page a click on `target` would open, if it is a plain same-origin link elsewhere. */
function linkTarget(e: MouseEvent): URL | undefined {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const anchor = (e.target as Element | null)?.closest?.("a[href]");
  if (!(anchor instanceof HTMLAnchorElement)) return;
  if (anchor.target && anchor.target !== "_self") return;
  if (anchor.hasAttribute("download")) return;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  if (url.pathname === window.location.pathname && url.search === window.location.search) return;
  return url;
}

/**
 * Guards every way out of a dirty builder: in-app links (header, History, Details…) ask first,
 * the browser's Back asks first, and a reload or a closed tab gets the browser's own prompt.
 * Back is caught with one extra history entry pushed while the document is dirty.
 */
export function useLeaveGuard() {
  const { editor } = useStores();
  useEffect(() => {
    let guarded = false;
    let leaving = false;

    const onClick = (e: MouseEvent) => {
      if (!linkTarget(e) || confirmLeave(editor)) return;
      e.preventDefault();
      e.stopPropagation();
    };
    const guard = () => {
      if (guarded || !isDirty(editor.getState())) return;
      guarded = true;
      window.history.pushState(window.history.state, "", window.location.href);
    };
    const onPopState = () => {
      if (!guarded || leaving) return;
      guarded = false;
      if (!isDirty(editor.getState())) return;
      if (window.confirm(LEAVE_MESSAGE)) {
        leaving = true;
        window.history.back();
      } else {
        guard();
      }
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!leaving && isDirty(editor.getState())) e.preventDefault();
    };

    const unsubscribe = editor.subscribe(guard);
    guard();
    window.addEventListener("click", onClick, true);
    window.addEventListener("popstate", onPopState);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      unsubscribe();
      window.removeEventListener("click", onClick, true);
      window.removeEventListener("popstate", onPopState);
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, [editor]);
}
