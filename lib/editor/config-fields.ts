import { z } from "zod";
import { type NodeType, nodeTypes } from "@/lib/workflow/node-types";

/** How a config field is edited. */
export type FieldKind =
  | "select"
  | "checkbox"
  | "number"
  | "text"
  | "textarea"
  | "expression"
  | "json"
  | "list";

/** One generated field of a node's config panel. */
export interface ConfigField {
  key: string;
  kind: FieldKind;
  required: boolean;
  options?: string[];
  min?: number;
  max?: number;
  integer?: boolean;
}

/** Config keys holding a JSONata expression (not a template). */
export const EXPRESSION_KEYS: ReadonlySet<string> = new Set(["expression", "items", "where", "value"]);
const LONG_TEXT_KEYS: ReadonlySet<string> = new Set(["prompt", "system", "text", "html", "body"]);

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

function fieldOf(key: string, schema: JsonSchema, required: boolean): ConfigField {
  const base = { key, required };
  if (schema.enum) return { ...base, kind: "select", options: schema.enum.map(String) };
  if (schema.anyOf) {
    // e.g. email `to`: a string or a list of strings. Edited as text; commas make a list.
    return { ...base, kind: schema.anyOf.some((s) => s.type === "array") ? "list" : "text" };
  }
  switch (schema.type) {
    case "boolean":
      return { ...base, kind: "checkbox" };
    case "integer":
    case "number":
      return {
        ...base,
        kind: "number",
        integer: schema.type === "integer",
        min: schema.minimum,
        max: schema.maximum,
      };
    case "string":
      if (EXPRESSION_KEYS.has(key)) return { ...base, kind: "expression" };
      return { ...base, kind: LONG_TEXT_KEYS.has(key) ? "textarea" : "text" };
    default:
      return { ...base, kind: "json" };
  }
}

const cache = new Map<NodeType, ConfigField[]>();

/** Config keys edited by a panel of their own rather than a generated field. */
const OWN_PANELS: Partial<Record<NodeType, ReadonlySet<string>>> = {
  trigger: new Set(["schedule"]), // components/builder/schedule-panel.tsx
};

/**
 * The fields of a node type's config panel, generated from its zod schema (through JSON
 * Schema): enums become selects, booleans checkboxes, numbers number inputs, expression keys
 * monospace expression fields, objects and unknowns JSON editors. Keys with a panel of their own
 * (a trigger's schedule) are left out.
 */
export function configFieldsOf(type: NodeType): ConfigField[] {
  const hit = cache.get(type);
  if (hit) return hit;
  const schema = z.toJSONSchema(nodeTypes[type].config, {
    unrepresentable: "any",
    io: "input",
  }) as JsonSchema;
  const required = new Set(schema.required ?? []);
  const own = OWN_PANELS[type];
  const fields = Object.entries(schema.properties ?? {})
    .filter(([key]) => !own?.has(key))
    .map(([key, s]) => fieldOf(key, s, required.has(key)));
  cache.set(type, fields);
  return fields;
}

/** Whether a string value is a template that embeds expressions. */
export function isTemplate(value: unknown): boolean {
  return typeof value === "string" && value.includes("{{");
}
