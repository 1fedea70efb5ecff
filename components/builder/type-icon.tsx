import type { NodeType } from "@/lib/workflow/node-types";

const GLYPHS: Record<NodeType, string> = {
  trigger: "▶",
  http: "⇄",
  llm: "✦",
  condition: "◇",
  filter: "⊃",
  transform: "ƒ",
  merge: "⋈",
  delay: "◷",
  email: "✉",
  output: "■",
};

/** The small colored glyph that tells node types apart. */
export function TypeIcon({ type }: { type: NodeType }) {
  return (
    <span className={`bn-type-icon bn-icon-${type}`} aria-hidden="true">
      {GLYPHS[type]}
    </span>
  );
}
