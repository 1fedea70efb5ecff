"use client";

import { useMemo } from "react";
import { pathsFromSample } from "@/components/editor/path-completion";
import { previewScope } from "@/lib/editor/expressions";
import { useEditor, useRunState } from "./editor-context";

/**
 * What an expression or code field of `nodeId` can complete: the names in scope (`input`,
 * `inputs`, `nodes.<id>`) and every field seen in the last run's data for them.
 */
export function useCompletions(nodeId: string, scope: readonly string[]): string[] {
  const definition = useEditor((s) => s.definition);
  const nodes = useRunState((s) => s.nodes);
  return useMemo(() => {
    const seen = new Set(scope);
    const sample = previewScope(definition, nodeId, { inputs: {}, nodes });
    if (sample) {
      for (const path of pathsFromSample({ input: sample.input, inputs: sample.inputs, nodes: sample.nodes }))
        seen.add(path);
    }
    return [...seen];
  }, [definition, nodes, nodeId, scope]);
}
