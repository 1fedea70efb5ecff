"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import type { EditorNode } from "@/lib/editor/types";
import { useEditor, useStores } from "./editor-context";
import { createWebhook, listWebhooks, revokeWebhook } from "./run-client";

/**
 * A trigger's incoming webhook: create a secret URL that runs the workflow from this trigger with
 * the request body as inputs, copy it, revoke it. Only for triggers of the saved workflow.
 */
export function WebhookPanel({ node }: { node: EditorNode }) {
  const { editor } = useStores();
  const workflowId = useEditor((s) => s.workflowId);
  const saved = useEditor((s) =>
    s.savedDefinition.nodes.some((n) => n.id === node.id && n.type === "trigger"),
  );
  const [path, setPath] = useState<string | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);

  useEffect(() => {
    if (!saved) return;
    let live = true;
    setPath(undefined);
    listWebhooks(workflowId)
      .then((hooks) => live && setPath(hooks.find((h) => h.triggerId === node.id)?.url ?? null))
      .catch(() => live && setPath(null));
    return () => {
      live = false;
    };
  }, [workflowId, node.id, saved]);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (err) {
      editor.getState().notify("error", `Webhook: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  if (!saved) {
    return (
      <section aria-label="Webhook" data-testid="webhook-panel" data-state="unsaved">
        <h3 className="bn-section">Webhook</h3>
        <p className="bn-muted">Save the workflow to give this trigger a webhook URL.</p>
      </section>
    );
  }
  const url = path ? `${origin}${path}` : "";
  return (
    <section aria-label="Webhook" data-testid="webhook-panel" data-state={path ? "active" : "none"}>
      <h3 className="bn-section">Webhook</h3>
      {path === undefined ? (
        <p className="bn-muted">Loading…</p>
      ) : path === null ? (
        <>
          <p className="bn-muted">
            A secret URL that runs this workflow from this trigger; the JSON (or form) body it receives
            becomes the trigger's inputs.
          </p>
          <Button
            size="sm"
            disabled={busy}
            data-testid="webhook-create"
            onClick={() => act(async () => setPath((await createWebhook(workflowId, node.id)).url))}
          >
            {busy ? "Creating…" : "Create webhook URL"}
          </Button>
        </>
      ) : (
        <>
          <div className="bn-field">
            <label htmlFor="bn-webhook-url">POST to</label>
            <input
              id="bn-webhook-url"
              type="text"
              className="bn-mono"
              readOnly
              value={url}
              data-testid="webhook-url"
              data-path={path}
              onFocus={(e) => e.currentTarget.select()}
            />
          </div>
          <p className="bn-muted">
            Anyone with this URL can start a run. Add <code>?mode=queued</code> to answer at once; an{" "}
            <code>Idempotency-Key</code> header makes retried deliveries start one run.
          </p>
          <div className="bn-field-row">
            <Button
              size="sm"
              data-testid="webhook-copy"
              onClick={() =>
                act(async () => {
                  await navigator.clipboard.writeText(url);
                  editor.getState().notify("info", "Webhook URL copied");
                })
              }
            >
              Copy
            </Button>
            <Button
              size="sm"
              variant="danger"
              disabled={busy}
              data-testid="webhook-revoke"
              onClick={() =>
                act(async () => {
                  await revokeWebhook(workflowId, node.id);
                  setPath(null);
                  editor.getState().notify("info", "Webhook revoked: its URL no longer runs anything");
                })
              }
            >
              Revoke
            </Button>
          </div>
        </>
      )}
    </section>
  );
}
