"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

/**
 * Delete with an inline confirmation: the first click asks, the second runs `onDelete` (a server
 * action), then toasts `doneMessage` and refreshes the page, or toasts the refusal.
 */
export function ConfirmDeleteButton({
  label,
  onDelete,
  doneMessage,
  confirmTestId,
}: {
  /** What is deleted, for accessible names: "Delete <label>". */
  label: string;
  onDelete: () => Promise<{ ok: true } | { ok: false; message: string }>;
  doneMessage: string;
  confirmTestId: string;
}) {
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const toast = useToast();

  if (!confirming) {
    return (
      <Button variant="danger" size="sm" onClick={() => setConfirming(true)} aria-label={`Delete ${label}`}>
        Delete
      </Button>
    );
  }
  return (
    <fieldset className="row fieldset-reset" aria-label={`Confirm deleting ${label}`}>
      <Button
        variant="danger-solid"
        size="sm"
        disabled={pending}
        data-testid={confirmTestId}
        onClick={() =>
          startTransition(async () => {
            const result = await onDelete();
            if (result.ok) {
              toast(doneMessage);
              router.refresh();
            } else {
              toast(result.message, "error");
              setConfirming(false);
            }
          })
        }
      >
        {pending ? "Deleting…" : "Delete for good"}
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setConfirming(false)} disabled={pending}>
        Cancel
      </Button>
    </fieldset>
  );
}
