"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { ExecutionStatus } from "@/lib/engine/ports";

type Control = "cancel" | "pause" | "resume" | "retry";

/** The controls an execution in `status` allows. */
export function controlsFor(status: ExecutionStatus): Control[] {
  switch (status) {
    case "queued":
    case "running":
    case "waiting":
      return ["pause", "cancel"];
    case "paused":
      return ["resume", "cancel"];
    case "failed":
    case "cancelled":
      return ["retry"];
    default:
      return [];
  }
}

const LABELS: Record<Control, string> = {
  cancel: "Cancel",
  pause: "Pause",
  resume: "Resume",
  retry: "Retry",
};

/**
 * Cancel, pause, resume and retry through `POST /api/executions/:id/<control>`. The page learns the
 * outcome from the event stream; `onAccepted` hands back the answer (a retry may name a new execution).
 */
export function ExecutionControls({
  executionId,
  status,
  onAccepted,
}: {
  executionId: string;
  status: ExecutionStatus;
  onAccepted: (control: Control, body: { executionId?: string; status?: ExecutionStatus }) => void;
}) {
  const [busy, setBusy] = useState<Control | null>(null);
  const toast = useToast();

  async function send(control: Control) {
    setBusy(control);
    try {
      const res = await fetch(`/api/executions/${encodeURIComponent(executionId)}/${control}`, {
        method: "POST",
      });
      const body = (await res.json().catch(() => ({}))) as {
        executionId?: string;
        status?: ExecutionStatus;
        error?: { message?: string };
      };
      if (!res.ok) {
        toast(body.error?.message ?? `${LABELS[control]} failed (${res.status})`, "error");
        return;
      }
      onAccepted(control, body);
    } catch {
      toast(`${LABELS[control]} failed: the server did not answer`, "error");
    } finally {
      setBusy(null);
    }
  }

  const controls = controlsFor(status);
  if (controls.length === 0) return null;
  return (
    <fieldset className="row fieldset-reset" aria-label="Execution controls">
      {controls.map((c) => (
        <Button
          key={c}
          variant={c === "cancel" ? "danger" : c === "retry" ? "primary" : "default"}
          disabled={busy !== null}
          onClick={() => send(c)}
          data-testid={`control-${c}`}
        >
          {busy === c ? `${LABELS[c]}…` : LABELS[c]}
        </Button>
      ))}
    </fieldset>
  );
}
