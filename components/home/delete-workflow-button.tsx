"use client";

import { deleteWorkflowAction } from "@/app/actions/workflows";
import { ConfirmDeleteButton } from "@/components/ui/confirm-delete-button";

/** Deletes a workflow after an inline confirmation. */
export function DeleteWorkflowButton({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmDeleteButton
      label={name}
      onDelete={() => deleteWorkflowAction(id)}
      doneMessage={`Deleted “${name}”`}
      confirmTestId="confirm-delete"
    />
  );
}
