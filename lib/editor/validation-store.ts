import { createStore, type StoreApi } from "zustand/vanilla";
import { type ValidationIssue, validateWorkflow } from "@/lib/workflow/validate";
import { expressionIssues } from "./expressions";
import { type GroupedIssues, groupIssues } from "./issues";
import type { EditorDefinition } from "./types";

export interface ValidationState {
  issues: ValidationIssue[];
  grouped: GroupedIssues;
}

/** The current document's validation issues, recomputed by `validateInto` (debounced by the caller). */
export type ValidationStore = StoreApi<ValidationState>;

/** A validation store for `def`. */
export function createValidationStore(def: EditorDefinition): ValidationStore {
  return createStore<ValidationState>()(() => validationOf(def));
}

/**
 * Validates `def` and groups its issues by node and field. Expression syntax errors are added
 * here too (where the server's check has not already flagged that field), so they show while
 * typing, before any save.
 */
export function validationOf(def: EditorDefinition): ValidationState {
  const result = validateWorkflow(def);
  const issues = result.ok ? [] : [...result.issues];
  const flagged = new Set(issues.map((i) => i.path));
  for (const issue of expressionIssues(def)) if (!flagged.has(issue.path)) issues.push(issue);
  return { issues, grouped: groupIssues(def, issues) };
}
