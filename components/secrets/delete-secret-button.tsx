"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { deleteSecretAction } from "@/app/actions/secrets";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

/** Delete with an inline confirmation: the first click asks, the second deletes. */
export function DeleteSecretButton({ name }: { name: string }) {
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const toast = useToast();
  if (!confirming) {
    return (
      <Button
        variant="danger"
        size="sm"
        onClick={() => setConfirming(true)}
        aria-label={`Delete secret ${name}`}
      >
        Delete
      </Button>
    );
  }
  return (
    <fieldset className="row fieldset-reset" aria-label={`Confirm deleting secret ${name}`}>
      <Button
        variant="danger-solid"
        size="sm"
        disabled={pending}
        data-testid={`confirm-delete-secret-${name}`}
        onClick={() =>
          startTransition(async () => {
            const result = await deleteSecretAction(name);
            if (result.ok) {
              toast(`Deleted secret ${name}`);
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
