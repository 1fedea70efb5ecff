/*
 * The `{{ … }}` template syntax of SPEC §1, shared by the engine (which evaluates it) and the
 * editor (which checks and previews it in the browser). Pure text handling: no JSONata here.
 */

/** A piece of a template: literal text, or the source of one `{{ … }}` expression. */
export type TemplatePart = string | { expr: string };

/** A text that is exactly one `{{ … }}` (spaces around allowed): its expression's source. */
export interface WholeTemplate {
  whole: string;
}

const CACHE_MAX = 10_000;
const parsedTemplates = new Map<string, TemplatePart[] | WholeTemplate>();

/** Index of the `}}` closing an expression that starts at `from`, or -1. */
function closingBraces(text: string, from: number): number {
  let depth = 0;
  for (let j = from; j < text.length; j++) {
    const ch = text[j];
    if (ch === '"' || ch === "'" || ch === "`") {
      for (j++; j < text.length && text[j] !== ch; j++) if (text[j] === "\\") j++;
    } else if (ch === "{") depth++;
    else if (ch === "}") {
      if (depth === 0 && text[j + 1] === "}") return j;
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/**
 * Splits a text into literal parts and `{{ … }}` expressions. The closing `}}` is the first one
 * outside string literals and nested braces, so `{{ {"a": {"b": 1}} }}` is one expression. An
 * unclosed `{{` is literal text.
 */
export function scanTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  let start = text.indexOf("{{");
  while (start !== -1) {
    const end = closingBraces(text, start + 2);
    if (end === -1) break;
    if (start > last) parts.push(text.slice(last, start));
    parts.push({ expr: text.slice(start + 2, end) });
    last = end + 2;
    start = text.indexOf("{{", last);
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** `scanTemplate`, or `{ whole }` when the text is exactly one expression; memoized. */
export function parseTemplate(text: string): TemplatePart[] | WholeTemplate {
  let parsed = parsedTemplates.get(text);
  if (parsed) return parsed;
  const parts = scanTemplate(text);
  const exprs = parts.filter((p) => typeof p !== "string");
  const onlySpace = parts.every((p) => typeof p !== "string" || p.trim() === "");
  parsed = exprs.length === 1 && onlySpace ? { whole: (exprs[0] as { expr: string }).expr } : parts;
  if (parsedTemplates.size >= CACHE_MAX) parsedTemplates.clear();
  parsedTemplates.set(text, parsed);
  return parsed;
}

/**
 * The expression an expression field holds (SPEC §1): `{{ input.x }}`, as n8n users write it, is
 * the same as `input.x`. Only one outer pair is removed, and only when nothing sits outside it:
 * `{{ a }} & {{ b }}` stays as it is.
 */
export function unwrapExpression(source: string): string {
  const template = parseTemplate(source);
  return "whole" in template ? template.whole : source;
}
