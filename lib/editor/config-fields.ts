import type { FieldSpec } from "@/lib/nodes/define";
import { type NodeType, nodeTypes } from "@/lib/nodes/registry";

export type { FieldKind } from "@/lib/nodes/define";

/** One field of a node's config panel, as its type declares it. */
export type ConfigField = FieldSpec;

/** The fields of a node type's config panel, as its module declares them, in order. */
export function configFieldsOf(type: NodeType): readonly ConfigField[] {
  return nodeTypes[type].fields;
}

/** Whether a string value is a template that embeds expressions. */
export function isTemplate(value: unknown): boolean {
  return typeof value === "string" && value.includes("{{");
}
