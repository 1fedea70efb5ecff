/**
 * Writes docs/nodes.md, the node reference, from the node-type modules under lib/nodes/ (the one
 * list in lib/nodes/registry.ts), so the reference cannot drift from the code. A test fails when the
 * committed file differs from what this prints.
 *
 *   npx tsx --conditions=react-server scripts/gen-node-docs.ts
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import type { FieldSpec, NodeTypeModule } from "@/lib/nodes/define";
import { nodeModules } from "@/lib/nodes/registry";

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
};

/** `string (1–8000 characters)`, `one of GET, POST`, `integer 1–300000`… */
function describeType(schema: JsonSchema | undefined): string {
  if (!schema) return "any";
  if (schema.enum) return `one of ${schema.enum.map((v) => `\`${String(v)}\``).join(", ")}`;
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(describeType).join(" or ");
  const type = Array.isArray(schema.type) ? schema.type.join(" or ") : schema.type;
  if (!type) return "any JSON";
  const range = (lo?: number, hi?: number, unit = "") =>
    lo !== undefined && hi !== undefined
      ? ` (${lo}–${hi}${unit})`
      : lo !== undefined
        ? ` (≥ ${lo}${unit})`
        : hi !== undefined
          ? ` (≤ ${hi}${unit})`
          : "";
  if (type === "string") return `string${range(schema.minLength, schema.maxLength, " characters")}`;
  if (type === "integer" || type === "number") return `${type}${range(schema.minimum, schema.maximum)}`;
  if (type === "array") return `array of ${describeType(schema.items)}`;
  if (type === "object") return "object";
  return type;
}

const KIND_NOTES: Partial<Record<FieldSpec["kind"], string>> = {
  expression: "JSONata expression (may be wrapped in one `{{ … }}`)",
  template: "text with `{{ … }}` templates",
  textarea: "text with `{{ … }}` templates",
  code: "JavaScript",
  json: "JSON",
};

/** A Markdown table padded as the formatter (Biome) writes it. */
function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

function renderModule(m: NodeTypeModule): string {
  const schema = z.toJSONSchema(m.config, { unrepresentable: "any", io: "input" }) as JsonSchema;
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const fields = new Map<string, FieldSpec>(m.fields.map((f) => [f.key as string, f as FieldSpec]));
  const keys = [...new Set([...fields.keys(), ...Object.keys(props)])];
  const lines = [
    `## ${m.label} (\`${m.type}\`)`,
    "",
    m.description,
    "",
    `- Output handles: ${m.handles.length ? m.handles.map((h) => `\`${h}\``).join(", ") : "none"}${
      m.startsRun ? " (a trigger: its input is the run's `inputs`)" : ""
    }; \`error\` too when the node's \`onError\` is \`"branch"\`.`,
    `- Side effects: ${m.sideEffects ? "yes (its checkpoint is durable before successors start)" : "none (pure work; a crash may run it again)"}.`,
  ];
  if (m.routesByHandle) lines.push("- Routes: it decides at run time which handle its output leaves by.");
  if (m.collectsOutput) lines.push("- Its output becomes the run's `outputs[<node id>]`.");
  const typical =
    typeof m.estimate.typicalMs === "number" ? `${m.estimate.typicalMs} ms` : "depends on its config";
  lines.push(`- Typical duration (for \`auto\` mode's estimate): ${typical}.`);
  lines.push(`- A new node starts with: \`${JSON.stringify(m.defaults)}\`.`, "");
  if (keys.length === 0) {
    lines.push("No configuration: `config` is `{}`.", "");
    return lines.join("\n");
  }
  const rows: string[][] = [];
  for (const key of keys) {
    const f = fields.get(key);
    const notes = [
      f?.label && f.label.toLowerCase() !== words(key) ? `“${f.label}”` : "",
      f ? (KIND_NOTES[f.kind] ?? "") : "",
      f?.help ?? "",
      props[key]?.description ?? "",
      (m.ownPanels as readonly string[] | undefined)?.includes(key) ? "edited in its own panel" : "",
    ].filter(Boolean);
    rows.push([
      `\`${key}\``,
      cell(describeType(props[key])),
      required.has(key) ? "yes" : "no",
      cell(notes.join(". ")),
    ]);
  }
  lines.push(...table(["config key", "type", "required", "notes"], rows), "");
  return lines.join("\n");
}

/** The whole of docs/nodes.md. */
export function renderNodeDocs(modules: readonly NodeTypeModule[] = nodeModules): string {
  return [
    "# Node reference",
    "",
    "<!-- Generated by scripts/gen-node-docs.ts from lib/nodes/. Do not edit by hand: run",
    "     `npx tsx --conditions=react-server scripts/gen-node-docs.ts` after changing a node type. -->",
    "",
    "Every node has `id`, `type` and `config`, and may have `name`, `position`, `retry`, `timeoutMs`",
    "and `onError` (see [concepts](concepts.md)). Expression and template fields are described in",
    "[expressions](expressions.md).",
    "",
    ...modules.map((m) => `- [${m.label}](#${anchor(m)})`),
    "",
    ...modules.map(renderModule),
  ].join("\n");
}

/** GitHub's heading anchor for `## HTTP request (\`http\`)`. */
function anchor(m: NodeTypeModule): string {
  return `${m.label} (${m.type})`
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replaceAll(" ", "-");
}

/** Where the reference lives. */
export const NODE_DOCS_PATH = path.resolve(import.meta.dirname, "../docs/nodes.md");

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(NODE_DOCS_PATH, renderNodeDocs());
  console.log(`wrote ${path.relative(process.cwd(), NODE_DOCS_PATH)} (${nodeModules.length} node types)`);
}
