import { unwrapExpression } from "@/lib/contract/template";
import { type ExpressionScope, evaluateExpression, expressionSyntaxError } from "@/lib/engine/expressions";
import type { ValidationIssue } from "@/lib/workflow/validate";
import type { EditorDefinition } from "./types";

/** Config keys that hold one JSONata expression, by node type (SPEC §1). */
export const EXPRESSION_FIELDS: Readonly<Record<string, readonly string[]>> = {
  condition: ["expression"],
  transform: ["expression"],
  filter: ["items", "where"],
  output: ["value"],
  loop: ["items"],
};

/** The syntax error of an expression field's value, in words, or undefined when it compiles. */
export function expressionProblem(source: string): string | undefined {
  const expr = unwrapExpression(source);
  if (expr.trim() === "") return undefined;
  const error = expressionSyntaxError(expr);
  if (!error) return undefined;
  return `syntax error: ${error}`;
}

/**
 * Syntax errors of every expression field, as validation issues at `nodes[i].config.<key>`: the
 * config panel shows them beside the field as one types, and the Problems panel lists them.
 */
export function expressionIssues(def: EditorDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  def.nodes.forEach((node, i) => {
    const keys = EXPRESSION_FIELDS[node.type];
    if (!keys) return;
    const config = (node.config ?? {}) as Record<string, unknown>;
    for (const key of keys) {
      const value = config[key];
      if (typeof value !== "string") continue;
      const problem = expressionProblem(value);
      if (problem)
        issues.push({ path: `nodes[${i}].config.${key}`, code: "invalid_expression", message: problem });
    }
  });
  return issues;
}

/** What the last run knows, for previews: the run's inputs and each node's input and output. */
export interface PreviewData {
  inputs: unknown;
  nodes: Readonly<Record<string, { input?: unknown; output?: unknown; status?: string } | undefined>>;
}

/**
 * The scope an expression of `nodeId` would see, rebuilt from the last run: `nodes` holds the
 * outputs that run produced, `input` the node's own recorded input (or, when it did not run, what
 * its upstream nodes produced). Undefined when there is no run data at all.
 */
export function previewScope(
  def: EditorDefinition,
  nodeId: string,
  data: PreviewData,
): ExpressionScope | undefined {
  const nodes: Record<string, unknown> = {};
  let any = false;
  for (const [id, view] of Object.entries(data.nodes)) {
    if (view && view.output !== undefined) {
      nodes[id] = view.output;
      any = true;
    }
  }
  const own = data.nodes[nodeId];
  if (!any && own?.input === undefined) return undefined;
  let input = own?.input;
  if (input === undefined) {
    const upstream = def.edges.filter((e) => e.target === nodeId).map((e) => e.source);
    const live = upstream.filter((id) => id in nodes);
    if (live.length === 1 && live[0] !== undefined) input = nodes[live[0]];
    else if (live.length > 1) input = Object.fromEntries(live.map((id) => [id, nodes[id]]));
  }
  return { inputs: data.inputs ?? {}, nodes, input };
}

/** The outcome of a preview: the value, or why it cannot be computed. */
export type PreviewResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Evaluates an expression field's value over a preview scope, as the engine would (same
 * guardrails). `bindings` stands in for variables such as `$item` in a filter's `where`.
 */
export async function evaluatePreview(
  source: string,
  scope: ExpressionScope,
  bindings?: Record<string, unknown>,
): Promise<PreviewResult> {
  const expr = unwrapExpression(source);
  const problem = expressionProblem(source);
  if (problem) return { ok: false, error: problem };
  try {
    const value = await evaluateExpression(
      expr,
      scope,
      { nodeType: "preview", nodeId: "preview", field: "value" },
      bindings,
    );
    return { ok: true, value };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Drop the site prefix the engine adds (`preview "preview" value "…": `).
    return { ok: false, error: message.replace(/^preview "preview" value ".*?": /s, "") };
  }
}
