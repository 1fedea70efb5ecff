import { nodeModuleOf } from "@/lib/nodes/registry";
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
  const result = validateWorkflow(data);
  return result.ok ? result : { ok: false, issues: describeImportIssues(data, result.issues) };
}

/** `timeoutMs` → `timeout ms`. */
const inWords = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** `Node "fetch" (HTTP request)`, or `Node 3` when the node has no usable id. */
function nodeSubject(node: Record<string, unknown> | undefined, index: number): string {
  const id = typeof node?.id === "string" && node.id.trim() !== "" ? `"${node.id}"` : String(index + 1);
  const type = typeof node?.type === "string" ? node.type : undefined;
  const label = type ? (nodeModuleOf(type)?.label ?? undefined) : undefined;
  return `Node ${id}${label ? ` (${label})` : ""}`;
}

/** What the failed check says, in words: `the URL is missing`, `the timeout ms must be a number`. */
function describeProblem(
  field: string | undefined,
  issue: ValidationIssue,
  node?: Record<string, unknown>,
): string {
  const what = field ? `the ${field}` : "it";
  const message = issue.message.replace(/^Invalid input:\s*/i, "");
  if (issue.code === "unknown_node_type") {
    return typeof node?.type === "string" ? `"${node.type}" is not a node type` : "the node type is missing";
  }
  if (issue.code === "unrecognized_keys") {
    return `${field ? `"${issue.path.split(".").pop()}"` : "a key"} is not a known setting`;
  }
  const typed = /expected (\w+), received (\w+)/.exec(message);
  if (typed) {
    return typed[2] === "undefined"
      ? `${what} is missing`
      : `${what} must be ${article(typed[1] ?? "")}, not ${typed[2]}`;
  }
  if (/\bis required$/.test(message)) return `${what} is missing`;
  return field ? `${what}: ${message}` : message;
}

const article = (noun: string) => (/^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`);

/**
 * Import errors as a person would say them, pointing at the node: `Node "fetch" (HTTP request): the
 * URL is missing` rather than `Invalid input: expected string, received undefined`. Each issue keeps
 * its `path` (the API contract names it); only `message` is rewritten.
 */
export function describeImportIssues(data: unknown, issues: ValidationIssue[]): ValidationIssue[] {
  const nodes = Array.isArray(asRecord(data)?.nodes) ? (asRecord(data)?.nodes as unknown[]) : [];
  return issues.map((issue) => {
    const at = /^nodes\[(\d+)\](?:\.(.+))?$/.exec(issue.path);
    if (at) {
      const index = Number(at[1]);
      const node = asRecord(nodes[index]);
      const rest = at[2] ?? "";
      let field: string | undefined;
      const config = /^config\.([^.[]+)/.exec(rest);
      if (config?.[1]) {
        const key = config[1];
        const spec =
          typeof node?.type === "string"
            ? nodeModuleOf(node.type)?.fields.find((f) => f.key === key)
            : undefined;
        field = spec?.label
          ? /^[A-Z][a-z]/.test(spec.label)
            ? spec.label.charAt(0).toLowerCase() + spec.label.slice(1)
            : spec.label
          : inWords(key);
        if (issue.code === "unrecognized_keys") field = "config";
      } else if (rest && rest !== "type") field = inWords(rest.replace(/\[\d+\]/g, ""));
      return { ...issue, message: `${nodeSubject(node, index)}: ${describeProblem(field, issue, node)}` };
    }
    const edge = /^edges\[(\d+)\](?:\.(.+))?$/.exec(issue.path);
    if (edge) {
      const e = asRecord((asRecord(data)?.edges as unknown[] | undefined)?.[Number(edge[1])]);
      const ends =
        typeof e?.source === "string" && typeof e?.target === "string" ? ` (${e.source} → ${e.target})` : "";
      return {
        ...issue,
        message: `Edge ${Number(edge[1]) + 1}${ends}: ${describeProblem(edge[2] ? inWords(edge[2]) : undefined, issue)}`,
      };
    }
    const top = issue.path && !issue.path.includes("[") ? inWords(issue.path) : undefined;
    const said = describeProblem(top, issue);
    return { ...issue, message: said.charAt(0).toUpperCase() + said.slice(1) };
  });
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
