"use client";

import { useEffect, useMemo } from "react";
import { fetchItemViews, iterationPathOf, pickedItemKeys } from "@/components/loop/use-loop-items";
import type { NodeRunView } from "@/lib/editor/run-store";
import { useEditor, useRunState, useStores, useUi } from "./editor-context";

/** The iteration key (`"7"`, `"3.0"`) a body node is shown in: the picked item of each loop around it. */
export function useItemKey(nodeId: string, parentId: string | undefined): string | undefined {
  const nodes = useEditor((s) => s.definition.nodes);
  const picked = useUi((s) => s.pickedItems);
  return useMemo(
    () => (parentId === undefined ? undefined : iterationPathOf(nodes, nodeId, picked)?.join(".")),
    [nodes, nodeId, parentId, picked],
  );
}

/**
 * What the canvas and the inspector show for a node: its run view; for a loop body node, its view
 * in the picked item (live events over what the API stored), unless it has just run alone.
 */
export function useNodeView(nodeId: string, parentId: string | undefined): NodeRunView | undefined {
  const key = useItemKey(nodeId, parentId);
  const own = useRunState((s) => s.nodes[nodeId]);
  const live = useRunState((s) => (key === undefined ? undefined : s.iterations[nodeId]?.[key]));
  const executionId = useRunState((s) => s.executionId);
  const stored = useUi((s) =>
    key === undefined || !executionId ? undefined : s.itemViews[`${executionId}/${key}`]?.[nodeId],
  );
  if (parentId === undefined) return own;
  if (own?.single) return own;
  if (!live && !stored) return undefined;
  return { ...(stored as Partial<NodeRunView>), ...live } as NodeRunView;
}

/**
 * Reads the stored state of the picked item of every loop of the current run, when the pick or
 * the run's status changes (live events then keep it current).
 */
export function LoopItemsLoader() {
  const { ui } = useStores();
  const nodes = useEditor((s) => s.definition.nodes);
  const picked = useUi((s) => s.pickedItems);
  const executionId = useRunState((s) => s.executionId);
  const status = useRunState((s) => s.status);
  const keys = useMemo(() => pickedItemKeys(nodes, picked), [nodes, picked]);
  useEffect(() => {
    if (!executionId || keys.length === 0 || status === "starting") return;
    let stale = false;
    for (const key of keys) {
      void fetchItemViews(`/api/executions/${executionId}/iterations/${key}`).then((views) => {
        if (!stale && views) ui.getState().setItemViews(`${executionId}/${key}`, views);
      });
    }
    return () => {
      stale = true;
    };
  }, [executionId, keys, status, ui]);
  return null;
}
