import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { getWorkflowOrThrow } from "@/lib/workflow/validate";

type NodeSpec = { id: string; type: string; config?: Record<string, unknown> } & Record<string, unknown>;
type EdgeSpec = string | { source: string; target: string; sourceHandle?: string };

/**
 * A validated definition from short specs; an edge may be written `"a->b"` or `"a:true->b"`.
 * Nodes without config get the type's empty config.
 */
export function workflow(
  nodes: NodeSpec[],
  edges: EdgeSpec[],
  settings?: WorkflowDefinition["settings"],
): WorkflowDefinition {
  return getWorkflowOrThrow({
    version: 1,
    name: "test",
    nodes: nodes.map((n) => ({ config: {}, ...n })),
    edges: edges.map((e) => {
      if (typeof e !== "string") return e;
      const [from, target] = e.split("->") as [string, string];
      const [source, sourceHandle] = from.split(":") as [string, string | undefined];
      return sourceHandle ? { source, sourceHandle, target } : { source, target };
    }),
    settings,
  });
}

/** A delay node spec. */
export const delay = (id: string, ms: number, extra: Record<string, unknown> = {}): NodeSpec => ({
  id,
  type: "delay",
  config: { ms },
  ...extra,
});
/** A transform node spec. */
export const transform = (id: string, expression: string, extra: Record<string, unknown> = {}): NodeSpec => ({
  id,
  type: "transform",
  config: { expression },
  ...extra,
});
/** A trigger node spec. */
export const trigger = (id = "start"): NodeSpec => ({ id, type: "trigger" });
