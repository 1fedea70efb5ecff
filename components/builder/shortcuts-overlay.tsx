"use client";

import { SHORTCUTS } from "@/lib/editor/commands";
import { useStores, useUi } from "./editor-context";

/** The "?" overlay: every builder shortcut. */
export function ShortcutsOverlay() {
  const { ui } = useStores();
  const open = useUi((s) => s.shortcutsOpen);
  if (!open) return null;
  const close = () => ui.getState().setShortcutsOpen(false);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes; Esc does too
    <div className="bn-overlay-scrim" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div
        className="bn-dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        data-testid="shortcuts-overlay"
      >
        <div className="bn-dialog-head">
          <h2>Keyboard shortcuts</h2>
          <button
            type="button"
            className="bn-icon-btn"
            onClick={close}
            aria-label="Close shortcuts"
            autoFocus
          >
            ✕
          </button>
        </div>
        <div className="bn-dialog-body">
          <table className="bn-shortcuts">
            <tbody>
              {SHORTCUTS.map((s) => (
                <tr key={s.keys}>
                  <td>
                    {s.keys.split(", ").map((k, i) => (
                      <span key={k}>
                        {i > 0 && " or "}
                        <kbd>{k}</kbd>
                      </span>
                    ))}
                  </td>
                  <td>{s.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
