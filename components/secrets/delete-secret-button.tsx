"use client";

import { deleteSecretAction } from "@/app/actions/secrets";
import { ConfirmDeleteButton } from "@/components/ui/confirm-delete-button";

/** Deletes a stored secret after an inline confirmation. */
export function DeleteSecretButton({ name }: { name: string }) {
  return (
    <ConfirmDeleteButton
      label={`secret ${name}`}
      onDelete={() => deleteSecretAction(name)}
      doneMessage={`Deleted secret ${name}`}
      confirmTestId={`confirm-delete-secret-${name}`}
    />
  );
}
