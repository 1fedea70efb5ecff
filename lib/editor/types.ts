import type { NodeType } from "@/lib/nodes/registry";
import type {
  OnError,
  RetryPolicy,
  WorkflowDefinition,
  WorkflowEdge,
  WorkflowSettings,
} from "@/lib/workflow/schema";

/**
 * A node as the editor holds it: the definition's fields, with `config` loosened because a
 * half-typed config (an empty url, a missing expression) is a normal state while editing.
 */
export interface EditorNode {
  id: string;
  type: NodeType;
  name?: string;
  position?: { x: number; y: number };
  /** The loop this node sits in; its position is then relative to the loop's box. */
  parentId?: string;
  /** A loop's box size on the canvas. */
  size?: { width: number; height: number };
  config: Record<string, unknown>;
  retry?: RetryPolicy;
  timeoutMs?: number;
  onError?: OnError;
}

/** The document on the canvas: a workflow definition that may not validate yet. */
export interface EditorDefinition {
  version: 1;
  name: string;
  nodes: EditorNode[];
  edges: WorkflowEdge[];
  settings?: WorkflowSettings;
}

/** Views an editor document as a definition for the graph helpers, which only read ids, types and edges. */
export function asGraph(def: EditorDefinition): WorkflowDefinition {
  return def as unknown as WorkflowDefinition;
}

/** A stored definition as an editor document. */
export function fromDefinition(def: WorkflowDefinition): EditorDefinition {
  return def as unknown as EditorDefinition;
}
