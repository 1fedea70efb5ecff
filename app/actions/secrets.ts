"use server";

import { revalidatePath } from "next/cache";
import { getDatabase } from "@/lib/db/client";
import { removeSecretOrThrow, setSecret } from "@/lib/security/secrets";
import { type ActionFailure, toActionFailure } from "./action-result";

/** State of the secret form (`useActionState`): a refusal with its field, or the name just saved. */
export interface SecretFormState {
  saved?: string;
  message?: string;
  field?: "name" | "value";
}

/** Stores (or replaces) the secret in the `name` and `value` fields, encrypted. */
export async function saveSecretAction(_prev: SecretFormState, formData: FormData): Promise<SecretFormState> {
  const name = String(formData.get("name") ?? "").trim();
  const value = String(formData.get("value") ?? "");
  try {
    await setSecret(await getDatabase(), name, value);
  } catch (err) {
    const failure = toActionFailure(err);
    const field = /^(name|value):/.exec(failure.message)?.[1] as SecretFormState["field"];
    return { message: failure.message, field };
  }
  revalidatePath("/secrets");
  return { saved: name };
}

/** Removes a stored secret. */
export async function deleteSecretAction(name: string): Promise<{ ok: true } | ActionFailure> {
  try {
    await removeSecretOrThrow(await getDatabase(), String(name));
  } catch (err) {
    return toActionFailure(err);
  }
  revalidatePath("/secrets");
  return { ok: true };
}
