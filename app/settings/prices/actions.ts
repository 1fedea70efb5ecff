"use server";

import { revalidatePath } from "next/cache";
import { type ActionFailure, toActionFailure } from "@/app/actions/action-result";
import { getDatabase } from "@/lib/db/client";
import { removeStoredPrice, setStoredPrice } from "@/lib/llm/prices-store";

/** State of the price form (`useActionState`): a refusal with its field, or the model just saved. */
export interface PriceFormState {
  saved?: string;
  /** The HTTP-like status of a refusal (422 for a bad field). */
  status?: number;
  message?: string;
  field?: "model" | "input" | "output";
}

/** Stores (or replaces) the price in the `model`, `input` and `output` fields (USD per million tokens). */
export async function savePriceAction(_prev: PriceFormState, formData: FormData): Promise<PriceFormState> {
  let model: string;
  try {
    const price = await setStoredPrice((await getDatabase()).db, {
      model: String(formData.get("model") ?? ""),
      input: String(formData.get("input") ?? ""),
      output: String(formData.get("output") ?? ""),
    });
    model = price.model;
  } catch (err) {
    const failure = toActionFailure(err);
    const field = /^(model|input|output):/.exec(failure.message)?.[1] as PriceFormState["field"];
    return { status: failure.code === "internal" ? 500 : 422, message: failure.message, field };
  }
  revalidatePath("/settings/prices");
  return { saved: model };
}

/** Removes a stored price: the model falls back to LLM_PRICES or the shipped default. */
export async function deletePriceAction(model: string): Promise<{ ok: true } | ActionFailure> {
  try {
    await removeStoredPrice((await getDatabase()).db, String(model));
  } catch (err) {
    return toActionFailure(err);
  }
  revalidatePath("/settings/prices");
  return { ok: true };
}
