"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

/**
 * Creates a read-only share link (`POST /api/executions/:id/share`), shows it with a copy button,
 * and revokes it (`DELETE`), after which the link answers 404.
 */
export function ShareButton({
  executionId,
  initialUrl,
}: {
  executionId: string;
  initialUrl?: string | null;
}) {
  const [path, setPath] = useState<string | null>(initialUrl ?? null);
  const [origin, setOrigin] = useState("");
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  useEffect(() => setOrigin(window.location.origin), []);
  const endpoint = `/api/executions/${encodeURIComponent(executionId)}/share`;

  async function call(method: "POST" | "DELETE") {
    setBusy(true);
    try {
      const res = await fetch(endpoint, { method });
      const body = (await res.json().catch(() => ({}))) as { url?: string; error?: { message?: string } };
      if (!res.ok) {
        toast(body.error?.message ?? `Sharing failed (${res.status})`, "error");
        return;
      }
      if (method === "POST" && body.url) {
        setPath(body.url);
      } else if (method === "DELETE") {
        setPath(null);
        toast("Share link revoked");
      }
    } catch {
      toast("Sharing failed: the server did not answer", "error");
    } finally {
      setBusy(false);
    }
  }

  async function copy(url: string) {
    try {
      await navigator.clipboard.writeText(url);
      toast("Link copied");
    } catch {
      toast("Copy failed: select the link and copy it", "error");
    }
  }

  if (!path) {
    return (
      <Button onClick={() => call("POST")} disabled={busy} data-testid="share-button">
        {busy ? "Sharing…" : "Share"}
      </Button>
    );
  }
  const url = `${origin}${path}`;
  return (
    <fieldset className="share-box fieldset-reset" aria-label="Share link">
      <input
        className="input"
        readOnly
        value={url}
        aria-label="Share link"
        onFocus={(e) => e.currentTarget.select()}
        data-testid="share-url"
        data-path={path}
      />
      <Button size="sm" onClick={() => copy(url)} data-testid="copy-share">
        Copy
      </Button>
      <Button
        size="sm"
        variant="danger"
        onClick={() => call("DELETE")}
        disabled={busy}
        data-testid="revoke-share"
      >
        Revoke
      </Button>
    </fieldset>
  );
}
