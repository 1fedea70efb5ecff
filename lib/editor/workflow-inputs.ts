/**
 * The `inputs.*` a workflow reads: every `inputs.<name>` and `inputs["name"]` (or `inputs['name']`)
 * in the strings of its nodes' configs, expressions and templates alike. Sorted, each name once.
 * A heuristic for the sub-workflow panel ("Inputs it uses"), not a parser: a name inside a string
 * literal of an expression counts too.
 */
export function workflowInputsOf(definition: { nodes: readonly { config?: unknown }[] }): string[] {
  const names = new Set<string>();
  for (const node of definition.nodes) visit(node.config, names);
  return [...names].sort();
}

// `inputs` as a whole word (not `myinputs`, not `nodes.x.inputs`), then `.name` or `["name"]`.
const REFERENCE =
  /(?<![\w$.])inputs\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\])/g;

function visit(value: unknown, names: Set<string>): void {
  if (typeof value === "string") {
    for (const m of value.matchAll(REFERENCE)) {
      const name = m[1] ?? m[2] ?? m[3];
      if (name) names.add(name);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) visit(v, names);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) visit(v, names);
  }
}
