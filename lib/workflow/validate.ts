import type { z } from "zod";
import { expressionSyntaxError, templateSyntaxError } from "@/lib/engine/expressions";
import { handlesOf, isTriggerNode, nodeModuleOf } from "@/lib/nodes/registry";
import { MAX_LOOP_DEPTH } from "./bodies";
import { findCycle, resolveEdges } from "./graph";
import { WorkflowDefinition } from "./schema";

/** One problem with a definition; `path` reads like `nodes[3].config.url`. */
export interface ValidationIssue {
  path: string;
  code: string;
  message: string;
}

export type ValidationResult =
  | { ok: true; definition: WorkflowDefinition }
  | { ok: false; issues: ValidationIssue[] };

/** Formats a zod path as `nodes[3].config.url`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Maps zod issues to ours, prefixing `base` (e.g. `definition`) when given. */
export function fromZodIssues(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  base: PropertyKey[] = [],
): ValidationIssue[] {
  return issues.map((issue) => {
    let code: string = issue.code;
    let path = [...base, ...issue.path];
    let message = issue.message;
    if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator === "type") {
      code = "unknown_node_type";
      if (path[path.length - 1] !== "type") path = [...path, "type"];
      message = "unknown node type";
    } else if (issue.code === "unrecognized_keys") {
      path = [...path, issue.keys[0] ?? ""];
    }
    return { path: formatPath(path), code, message };
  });
}

/**
 * Validates a workflow definition: structure and per-type config (zod), then the graph rules of
 * SPEC §1 — unique ids, edges between existing nodes over handles their source has, no cycle,
 * at least one trigger and no edge into a trigger — and the syntax of every expression, in the
 * fields its node type declares as expressions and in `{{ … }}` templates.
 */
export function validateWorkflow(input: unknown): ValidationResult {
  const parsed = WorkflowDefinition.safeParse(input);
  if (!parsed.success) return { ok: false, issues: fromZodIssues(parsed.error.issues) };
  const def = parsed.data;
  const issues = [...graphIssues(def), ...bodyIssues(def), ...expressionIssues(def)];
  return issues.length > 0 ? { ok: false, issues } : { ok: true, definition: def };
}

function graphIssues(def: WorkflowDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const byId = new Map<string, (typeof def.nodes)[number]>();
  def.nodes.forEach((node, i) => {
    if (byId.has(node.id)) {
      issues.push({
        path: `nodes[${i}].id`,
        code: "duplicate_id",
        message: `node id "${node.id}" is used twice`,
      });
    } else byId.set(node.id, node);
  });

  if (!def.nodes.some(isTriggerNode)) {
    issues.push({ path: "nodes", code: "no_trigger", message: "a workflow needs a trigger node" });
  }

  const edgeIds = new Set<string>();
  const seenEdges = new Set<string>();
  let edgesOk = true;
  def.edges.forEach((edge, i) => {
    if (edge.id !== undefined) {
      if (edgeIds.has(edge.id)) {
        issues.push({
          path: `edges[${i}].id`,
          code: "duplicate_id",
          message: `edge id "${edge.id}" is used twice`,
        });
      }
      edgeIds.add(edge.id);
    }
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (!source) {
      edgesOk = false;
      issues.push({ path: `edges[${i}].source`, code: "unknown_node", message: `no node "${edge.source}"` });
    }
    if (!target) {
      edgesOk = false;
      issues.push({ path: `edges[${i}].target`, code: "unknown_node", message: `no node "${edge.target}"` });
    }
    if (source) {
      const handles = handlesOf(source);
      const handle = edge.sourceHandle ?? (handles.includes("out") ? "out" : undefined);
      if (handle === undefined || !handles.includes(handle)) {
        edgesOk = false;
        const has = handles.length > 0 ? `has ${handles.map((h) => `"${h}"`).join(", ")}` : "has no outputs";
        issues.push({
          path: `edges[${i}].sourceHandle`,
          code: "unknown_handle",
          message:
            handle === undefined
              ? `an edge from ${source.type} node "${source.id}" must name its handle (${has})`
              : `${source.type} node "${source.id}" has no handle "${handle}" (it ${has})`,
        });
      } else {
        const key = `${edge.source}\u0000${handle}\u0000${edge.target}`;
        if (seenEdges.has(key)) {
          issues.push({
            path: `edges[${i}]`,
            code: "duplicate_edge",
            message: "the same connection is made twice",
          });
        }
        seenEdges.add(key);
      }
    }
    if (source && target && source.parentId !== target.parentId) {
      edgesOk = false;
      const side = (n: { id: string; parentId?: string }) =>
        n.parentId === undefined ? `"${n.id}" (outside any loop)` : `"${n.id}" (in loop "${n.parentId}")`;
      issues.push({
        path: `edges[${i}]`,
        code: "crosses_body",
        message: `an edge cannot cross a loop's boundary: ${side(source)} → ${side(target)}`,
      });
    }
    if (target && isTriggerNode(target)) {
      issues.push({
        path: `edges[${i}].target`,
        code: "trigger_input",
        message: `trigger "${target.id}" cannot have incoming edges`,
      });
    }
  });

  if (edgesOk && issues.length === 0) {
    const cycle = findCycle(def);
    if (cycle) {
      const closing = resolveEdges(def).find(
        (e) => e.source === cycle[cycle.length - 1] && e.target === cycle[0],
      );
      issues.push({
        path: closing ? `edges[${closing.index}]` : "edges",
        code: "cycle",
        message: `edges form a cycle: ${[...cycle, cycle[0]].join(" → ")}`,
      });
    }
  }
  return issues;
}

/**
 * The loop-body rules (SPEC §1 "Loop bodies"): a `parentId` names an existing loop, loops nest at
 * most MAX_LOOP_DEPTH deep, a loop's body is not empty, and no trigger sits in a body. (Edges
 * crossing a body's boundary are reported with the edges.)
 */
function bodyIssues(def: WorkflowDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  const hasChildren = new Set<string>();
  def.nodes.forEach((node, i) => {
    if (node.parentId === undefined) return;
    hasChildren.add(node.parentId);
    const path = `nodes[${i}].parentId`;
    const parent = byId.get(node.parentId);
    if (!parent) {
      issues.push({ path, code: "unknown_node", message: `no node "${node.parentId}"` });
      return;
    }
    if (!nodeModuleOf(parent.type)?.holdsBody) {
      issues.push({
        path,
        code: "not_a_loop",
        message: `"${node.parentId}" is a ${parent.type} node; only a loop can hold nodes`,
      });
      return;
    }
    if (isTriggerNode(node)) {
      issues.push({ path, code: "trigger_in_body", message: `trigger "${node.id}" cannot be inside a loop` });
    }
    // Depth: the loops around this node, counting a loop node itself as one level for its body.
    let depth = 0;
    const seen = new Set<string>([node.id]);
    for (let p: typeof parent | undefined = parent; p; p = p.parentId ? byId.get(p.parentId) : undefined) {
      if (seen.has(p.id)) {
        issues.push({ path, code: "cycle", message: `loop "${p.id}" is inside itself` });
        return;
      }
      seen.add(p.id);
      depth++;
    }
    const own = nodeModuleOf(node.type)?.holdsBody ? 1 : 0;
    if (depth + own > MAX_LOOP_DEPTH && own === 1) {
      issues.push({
        path,
        code: "loop_too_deep",
        message: `loops nest at most ${MAX_LOOP_DEPTH} deep; loop "${node.id}" would be level ${depth + own}`,
      });
    }
  });
  def.nodes.forEach((node, i) => {
    if (nodeModuleOf(node.type)?.holdsBody && !hasChildren.has(node.id)) {
      issues.push({
        path: `nodes[${i}]`,
        code: "empty_body",
        message: `loop "${node.id}" has no nodes inside it`,
      });
    }
  });
  return issues;
}

/** Syntax errors in expression fields and in the `{{ … }}` templates of text fields. */
function expressionIssues(def: WorkflowDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  def.nodes.forEach((node, i) => {
    const config = node.config as Record<string, unknown>;
    for (const field of nodeModuleOf(node.type)?.fields ?? []) {
      const value = config[field.key];
      if (value === undefined || field.kind === "code") continue;
      const path = `nodes[${i}].config.${field.key}`;
      if (field.kind === "expression") {
        const problem = typeof value === "string" ? expressionSyntaxError(value) : undefined;
        if (problem)
          issues.push({ path, code: "invalid_expression", message: `not a valid expression: ${problem}` });
        continue;
      }
      const problem = firstTemplateError(value);
      if (problem)
        issues.push({ path, code: "invalid_expression", message: `not a valid template: ${problem}` });
    }
  });
  return issues;
}

function firstTemplateError(value: unknown): string | undefined {
  if (typeof value === "string") return value.includes("{{") ? templateSyntaxError(value) : undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const problem = firstTemplateError(v);
      if (problem) return problem;
    }
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) {
      const problem = firstTemplateError(v);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Validates or throws the first issue as an Error (for trusted, already-stored definitions). */
export function getWorkflowOrThrow(input: unknown): WorkflowDefinition {
  const result = validateWorkflow(input);
  if (!result.ok) {
    const first = result.issues[0]!;
    throw new Error(`invalid workflow at ${first.path}: ${first.message}`);
  }
  return result.definition;
}
