import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { type ValidationIssue, validateWorkflow } from "@/lib/workflow/validate";
import type { EditorDefinition } from "./types";

export type ImportResult =
  | { ok: true; definition: WorkflowDefinition }
  | { ok: false; issues: ValidationIssue[] };

/** Parses and validates an imported JSON file; nothing is replaced unless this says ok. */
export function parseWorkflowJson(text: string): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      issues: [
        { path: "", code: "invalid_json", message: `not JSON: ${err instanceof Error ? err.message : ""}` },
      ],
    };
  }
  // Accept both a bare definition and a `GET /api/workflows/:id` body.
  if (data && typeof data === "object" && "definition" in data && !("nodes" in data)) {
    data = (data as { definition: unknown }).definition;
  }
  return validateWorkflow(data);
}

/** The exported file's text: the definition, pretty-printed. */
export function exportWorkflowJson(def: EditorDefinition): string {
  return `${JSON.stringify(def, null, 2)}\n`;
}

/** A file name for an exported workflow. */
export function exportFileName(def: EditorDefinition): string {
  const slug =
    def.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "workflow";
  return `${slug}.json`;
}
