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

/**
 * The fields the config panel shows for a node's current config: those whose `visibleWhen` allows
 * it (or that declare none), plus any hidden one with an error, so a problem is never out of sight.
 */
export function visibleConfigFields(
  fields: readonly ConfigField[],
  config: Readonly<Record<string, unknown>>,
  errors: Readonly<Record<string, string>> = {},
): ConfigField[] {
  return fields.filter(
    (f) => !f.visibleWhen || f.visibleWhen(config) || errors[`config.${f.key}`] !== undefined,
  );
}
