import { createStore, type StoreApi } from "zustand/vanilla";
import { type ValidationIssue, validateWorkflow } from "@/lib/workflow/validate";
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

/** Validates `def` and groups its issues by node and field. */
export function validationOf(def: EditorDefinition): ValidationState {
  const result = validateWorkflow(def);
  const issues = result.ok ? [] : result.issues;
  return { issues, grouped: groupIssues(def, issues) };
}
