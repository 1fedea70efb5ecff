"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { findTemplate } from "@/lib/templates";
import { createWorkflow } from "@/lib/workflow-store/service";
import { type ActionFailure, toActionFailure } from "./action-result";

/** Creates a workflow from a gallery template and opens it in the builder, ready to run. */
export async function createFromTemplateAction(templateId: string): Promise<ActionFailure> {
  const template = typeof templateId === "string" ? findTemplate(templateId) : undefined;
  if (!template)
    return {
      ok: false,
      code: "invalid_request",
      message: `templateId: there is no template "${String(templateId)}"`,
    };
  let id: string;
  try {
    id = (await createWorkflow(await getDb(), template.definition)).id;
  } catch (err) {
    return toActionFailure(err);
  }
  revalidatePath("/");
  redirect(`/workflows/${id}`);
}
