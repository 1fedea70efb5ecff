"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { describeImportIssues } from "@/lib/editor/import-export";
import { LIMITS, type WorkflowDefinition } from "@/lib/workflow/schema";
import type { ValidationIssue } from "@/lib/workflow/validate";
import { createWorkflow, deleteWorkflow, renameWorkflow, updateWorkflow } from "@/lib/workflow-store/service";
import { type ActionFailure, toActionFailure } from "./action-result";

/** State of the create and import forms (`useActionState`); empty until a submission is refused. */
export interface WorkflowFormState {
  message?: string;
  fieldErrors?: { name?: string[]; json?: string[] };
  issues?: ValidationIssue[];
}

const WorkflowId = z.string().trim().min(1, "id is required").max(200);
const WorkflowName = z
  .string({ error: "name is required" })
  .trim()
  .min(1, "Give the workflow a name.")
  .max(LIMITS.nameLength, `A name has at most ${LIMITS.nameLength} characters.`);

/** The definition a new workflow starts from: one trigger. */
function starterDefinition(name: string): WorkflowDefinition {
  return {
    version: 1,
    name,
    nodes: [{ id: "trigger", type: "trigger", name: "Trigger", position: { x: 0, y: 0 }, config: {} }],
    edges: [],
  };
}

function badId(): ActionFailure {
  return { ok: false, code: "invalid_request", message: "id: a workflow id is required" };
}

/** Creates a workflow with one trigger from the `name` field and opens it in the builder. */
export async function createWorkflowAction(
  _prev: WorkflowFormState,
  formData: FormData,
): Promise<WorkflowFormState> {
  const name = WorkflowName.safeParse(formData.get("name") ?? "");
  if (!name.success) {
    return {
      message: "The workflow was not created.",
      fieldErrors: { name: name.error.issues.map((i) => i.message) },
    };
  }
  let id: string;
  try {
    id = (await createWorkflow(await getDb(), starterDefinition(name.data), { author: "session" })).id;
  } catch (err) {
    const failure = toActionFailure(err);
    return { message: failure.message, issues: failure.issues };
  }
  revalidatePath("/");
  redirect(`/workflows/${id}`);
}

/** Imports a workflow from the JSON text in the `json` field and opens it; issues name their paths. */
export async function importWorkflowAction(
  _prev: WorkflowFormState,
  formData: FormData,
): Promise<WorkflowFormState> {
  const text = formData.get("json");
  if (typeof text !== "string" || text.trim() === "") {
    return {
      message: "Nothing to import.",
      fieldErrors: { json: ["Paste a workflow's JSON or choose a file."] },
    };
  }
  if (Buffer.byteLength(text, "utf8") > LIMITS.maxBodyBytes) {
    return {
      message: "The file is too large.",
      fieldErrors: { json: ["A workflow is at most 5 MB of JSON."] },
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { message: "That is not valid JSON.", fieldErrors: { json: [(err as Error).message] } };
  }
  let id: string;
  try {
    id = (await createWorkflow(await getDb(), parsed, { author: "session", message: "Imported" })).id;
  } catch (err) {
    const failure = toActionFailure(err);
    const issues = describeImportIssues(parsed, failure.issues ?? []);
    return {
      message: "The workflow was not imported.",
      issues,
      fieldErrors: { json: [issues[0]?.message ?? failure.message] },
    };
  }
  revalidatePath("/");
  redirect(`/workflows/${id}`);
}

/**
 * Saves a workflow's definition and bumps its version, writing an immutable version row with the
 * optional `message`. With `expectedVersion`, a save over a newer version is refused
 * (`code: "version_conflict"`) instead of overwriting it.
 */
export async function saveWorkflowAction(
  id: string,
  definition: unknown,
  options: { expectedVersion?: number; message?: string } = {},
): Promise<{ ok: true; version: number; updatedAt: string } | ActionFailure> {
  if (!WorkflowId.safeParse(id).success) return badId();
  try {
    const expectedVersion = Number.isInteger(options?.expectedVersion) ? options.expectedVersion : undefined;
    const message = typeof options?.message === "string" ? options.message.slice(0, 500) : undefined;
    const saved = await updateWorkflow(await getDb(), id, definition, {
      expectedVersion,
      message,
      author: "session",
    });
    revalidatePath("/");
    revalidatePath(`/workflows/${id}`);
    return { ok: true, version: saved.version, updatedAt: saved.updatedAt };
  } catch (err) {
    return toActionFailure(err);
  }
}

/** Renames a workflow. */
export async function renameWorkflowAction(
  id: string,
  name: string,
): Promise<{ ok: true; name: string; version: number } | ActionFailure> {
  if (!WorkflowId.safeParse(id).success) return badId();
  const parsed = WorkflowName.safeParse(name);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "invalid name";
    return {
      ok: false,
      code: "invalid_request",
      message,
      issues: [{ path: "name", code: "invalid_name", message }],
    };
  }
  try {
    const saved = await renameWorkflow(await getDb(), id, parsed.data, { author: "session" });
    revalidatePath("/");
    return { ok: true, name: saved.name, version: saved.version };
  } catch (err) {
    return toActionFailure(err);
  }
}

/** Deletes a workflow and its executions. */
export async function deleteWorkflowAction(id: string): Promise<{ ok: true } | ActionFailure> {
  if (!WorkflowId.safeParse(id).success) return badId();
  try {
    await deleteWorkflow(await getDb(), id);
    revalidatePath("/");
    return { ok: true };
  } catch (err) {
    return toActionFailure(err);
  }
}
