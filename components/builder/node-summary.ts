import type { EditorNode } from "@/lib/editor/types";

const clip = (text: string, max = 42) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A one-line description of a node's config for its card on the canvas. */
export function nodeSummary(node: EditorNode): string {
  const c = node.config;
  const str = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v));
  switch (node.type) {
    case "http":
      return clip(`${str(c.method)} ${str(c.url)}`);
    case "llm":
      return clip(str(c.model));
    case "condition":
    case "transform":
      return clip(str(c.expression));
    case "filter":
      return clip(`${str(c.items)} where ${str(c.where)}`);
    case "merge":
      return `as ${str(c.mode) || "object"}`;
    case "delay":
      return `${str(c.ms)} ms`;
    case "email":
      return clip(`to ${Array.isArray(c.to) ? c.to.join(", ") : str(c.to)}`);
    case "output":
      return clip(str(c.value) || "its input");
    case "trigger": {
      const schedule = c.schedule as { cron?: unknown; timezone?: unknown } | undefined;
      return schedule
        ? clip(`every ${str(schedule.cron)}${schedule.timezone ? ` (${str(schedule.timezone)})` : ""}`)
        : "";
    }
    default:
      return "";
  }
}

/** A short preview of a value shown in place after a node runs alone. */
export function previewValue(value: unknown): string {
  if (value === undefined) return "";
  if (value && typeof value === "object" && "status" in value && "body" in value) {
    const v = value as { status: unknown; body: unknown };
    return clip(`${String(v.status)} · ${JSON.stringify(v.body) ?? ""}`, 60);
  }
  return clip(JSON.stringify(value) ?? "", 60);
}
