import type { FitViewOptions } from "@xyflow/react";

/**
 * How the builder fits the graph in view: room on the right for handle labels and "+" buttons,
 * and at the bottom for the minimap, so no node or label ends up under it.
 */
export const FIT_VIEW: FitViewOptions = {
  padding: { top: "48px", left: "48px", right: "96px", bottom: "140px" },
  maxZoom: 1.2,
};
