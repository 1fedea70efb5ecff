import { nodeModuleOf } from "@/lib/nodes/registry";

/** The small colored glyph that tells node types apart (glyph and color from the type's module). */
export function TypeIcon({ type }: { type: string }) {
  const module = nodeModuleOf(type);
  return (
    <span className="bn-type-icon" style={{ background: module?.color ?? "#9ca3af" }} aria-hidden="true">
      {module?.glyph ?? "?"}
    </span>
  );
}
