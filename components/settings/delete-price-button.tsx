"use client";

import { deletePriceAction } from "@/app/settings/prices/actions";
import { ConfirmDeleteButton } from "@/components/ui/confirm-delete-button";

/** Removes a stored price after an inline confirmation (the model falls back to LLM_PRICES or the default). */
export function DeletePriceButton({ model }: { model: string }) {
  return (
    <ConfirmDeleteButton
      label={`the stored price of ${model}`}
      onDelete={() => deletePriceAction(model)}
      doneMessage={`Removed the stored price of ${model}`}
      confirmTestId={`confirm-delete-price-${model}`}
    />
  );
}
