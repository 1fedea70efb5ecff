import type { CompletionContext, CompletionResult, CompletionSource } from "@codemirror/autocomplete";

/** One suggestion: the segment to insert and the full path it completes to. */
export interface PathOption {
  label: string;
  detail: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Completes the dotted path that ends the text before the cursor (`nodes.fe` → `fetch`), from a
 * list of known paths (`nodes.fetch.body.id`). Returns where the completed segment starts (an
 * offset into `before`) and the next segments, or null when nothing fits.
 */
export function completePath(
  paths: readonly string[],
  before: string,
): { from: number; options: PathOption[] } | null {
  if (/(?:^|[^\w$.])\d[\d.]*$/.test(before)) return null;
  const path = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\.?$/.exec(before)?.[0] ?? "";
  const dot = path.lastIndexOf(".");
  const parent = dot === -1 ? "" : path.slice(0, dot + 1);
  const partial = path.slice(dot + 1);
  const seen = new Map<string, PathOption>();
  for (const full of paths) {
    if (!full.startsWith(parent)) continue;
    const segment = full.slice(parent.length).split(".")[0] ?? "";
    if (segment === "" || !segment.startsWith(partial) || seen.has(segment)) continue;
    seen.set(segment, { label: segment, detail: parent + segment });
  }
  if (seen.size === 0) return null;
  return { from: before.length - partial.length, options: [...seen.values()] };
}

/** A CodeMirror completion source over `paths()` (read at each request, so it follows new data). */
export function pathCompletionSource(paths: () => readonly string[]): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const found = completePath(paths(), before);
    if (!found) return null;
    const typedSomething = /[\w$.]$/.test(before);
    if (!typedSomething && !context.explicit) return null;
    return {
      from: line.from + found.from,
      options: found.options.map((o) => ({ label: o.label, detail: o.detail, type: "property" })),
      validFor: /^[\w$]*$/,
    };
  };
}

/**
 * Paths to complete from sample data, such as the last run's `{ input, inputs, nodes }`:
 * every object key reachable in `maxDepth` steps (arrays are looked into through their first
 * element), skipping keys that are not identifiers. At most `max` paths.
 */
export function pathsFromSample(sample: Record<string, unknown>, maxDepth = 6, max = 500): string[] {
  const out: string[] = [];
  const walk = (value: unknown, prefix: string, depth: number) => {
    if (out.length >= max || depth > maxDepth) return;
    const v = Array.isArray(value) ? value[0] : value;
    if (v === null || typeof v !== "object") return;
    for (const [key, child] of Object.entries(v)) {
      if (!IDENTIFIER.test(key) || out.length >= max) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      out.push(path);
      walk(child, path, depth + 1);
    }
  };
  walk(sample, "", 1);
  return out;
}
