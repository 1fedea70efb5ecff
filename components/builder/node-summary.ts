import type { EditorNode } from "@/lib/editor/types";
import { clip } from "@/lib/nodes/define";
import { nodeModuleOf } from "@/lib/nodes/registry";

/** A one-line description of a node's config for its card on the canvas, as its type words it. */
export function nodeSummary(node: EditorNode): string {
  return nodeModuleOf(node.type)?.summary(node.config) ?? "";
}

/** A short preview of a value shown in place after a node runs alone. */
export function previewValue(value: unknown): string {
  if (value === undefined) return "";
  if (value && typeof value === "object" && "status" in value && "body" in value) {
    const v = value as { status: unknown; body: unknown };
    return clip(`${String(v.status)} · ${JSON.stringify(v.body) ?? ""}`, 60);
  }
  return clip(JSON.stringify(value) ?? "", 60);
}
