"use client";

import { useEffect } from "react";
import { useEditor, useStores } from "./editor-context";

/** The builder's toast: refused connections, saves, import results. */
export function Notice() {
  const { editor } = useStores();
  const notice = useEditor((s) => s.notice);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(
      () => editor.getState().dismissNotice(notice.id),
      notice.kind === "error" ? 6000 : 2500,
    );
    return () => clearTimeout(t);
  }, [notice, editor]);
  if (!notice) return null;
  return (
    <div
      className={`bn-notice is-${notice.kind}`}
      role={notice.kind === "error" ? "alert" : "status"}
      data-testid="builder-notice"
      data-kind={notice.kind}
    >
      <span>{notice.message}</span>
      <button
        type="button"
        className="bn-notice-close"
        onClick={() => editor.getState().dismissNotice(notice.id)}
        aria-label="Dismiss"
      >
        ×
      </button>
    </div>
  );
}
