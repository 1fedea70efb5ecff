"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/lib/db/client";
import { parseVersionParam } from "@/lib/versions/store";
import { restoreVersion } from "@/lib/workflow-store/service";
import { type ActionFailure, toActionFailure } from "./action-result";

/** Restores version `version` of a workflow as its newest version (nothing is deleted). */
export async function restoreVersionAction(
  workflowId: string,
  version: number,
): Promise<{ ok: true; version: number } | ActionFailure> {
  try {
    const v = parseVersionParam(String(version));
    const saved = await restoreVersion(await getDb(), String(workflowId), v, { author: "session" });
    revalidatePath(`/workflows/${saved.id}`);
    revalidatePath(`/workflows/${saved.id}/versions`);
    return { ok: true, version: saved.version };
  } catch (err) {
    return toActionFailure(err);
  }
}
