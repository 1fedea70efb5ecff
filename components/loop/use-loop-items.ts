"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import type { StoredItemView } from "@/lib/editor/ui-store";
import type { LoopProgress, NodeStatus } from "@/lib/engine/ports";

/** A body node's state in one item: from the item's stored checkpoint, patched by live events. */
export type ItemNodeView = StoredItemView;

type Node = { id: string; parentId?: string };
type LiveIterations = Record<string, Record<string, Partial<ItemNodeView> & { status: NodeStatus }>>;

/**
 * The item path a loop's body shows: the picked item (default 0) of that loop and of each loop
 * around it, outermost first. A parent chain that loops back (refused at save) stops.
 */
function itemPathOfLoop(
  parentOf: ReadonlyMap<string, string | undefined>,
  loopId: string,
  picked: Record<string, number>,
) {
  const path: number[] = [];
  const seen = new Set<string>();
  for (let l: string | undefined = loopId; l !== undefined && !seen.has(l); l = parentOf.get(l)) {
    seen.add(l);
    path.unshift(picked[l] ?? 0);
  }
  return path;
}

const parentMap = (nodes: readonly Node[]) => new Map(nodes.map((n) => [n.id, n.parentId]));

/** The iteration path a loop body node is shown and played alone for; undefined outside loops. */
export function iterationPathOf(
  nodes: readonly Node[],
  nodeId: string,
  picked: Record<string, number>,
): number[] | undefined {
  const parentOf = parentMap(nodes);
  const loop = parentOf.get(nodeId);
  return loop === undefined ? undefined : itemPathOfLoop(parentOf, loop, picked);
}

/** The iteration keys (`"7"`, `"3.0"`) of every loop body for the picked items, sorted. */
export function pickedItemKeys(nodes: readonly Node[], picked: Record<string, number>): string[] {
  const parentOf = parentMap(nodes);
  const loops = new Set(nodes.flatMap((n) => (n.parentId !== undefined ? [n.parentId] : [])));
  return [...new Set([...loops].map((l) => itemPathOfLoop(parentOf, l, picked).join(".")))].sort();
}

/** Reads one item's body nodes (`…/iterations/<key>`); undefined when the read fails. */
export async function fetchItemViews(url: string): Promise<Record<string, ItemNodeView> | undefined> {
  try {
    const res = await fetch(url);
    if (!res.ok) return undefined;
    return ((await res.json()) as { nodes?: Record<string, ItemNodeView> }).nodes;
  } catch {
    return undefined;
  }
}

/**
 * Which item of each loop the execution page shows, and what the body nodes did in it. The stored
 * side comes from `GET /api/executions/:id/iterations/:path` (a share page reads its own path),
 * fetched when the pick or the execution's state changes; live `iteration` events (the reducer's
 * `iterations`) are newer and win. The builder keeps its picks in its UI store instead.
 */
export function useLoopItems({
  executionId,
  nodes,
  iterations,
  version,
  basePath,
}: {
  executionId: string;
  nodes: readonly Node[];
  /** Live per-iteration views: node id → iteration key → view. */
  iterations?: LiveIterations;
  /** Changes when the execution moves on (status), to refetch the picked items. */
  version: string;
  /** Where items are read from: default `/api/executions/<id>/iterations`. */
  basePath?: string;
}) {
  const [picked, setPicked] = useState<Record<string, number>>({});
  const [fetched, setFetched] = useState<Record<string, Record<string, ItemNodeView>>>({});
  const parentOf = useMemo(() => parentMap(nodes), [nodes]);
  const keyOf = useCallback(
    (loopId: string): string => itemPathOfLoop(parentOf, loopId, picked).join("."),
    [picked, parentOf],
  );
  const keys = useMemo(() => pickedItemKeys(nodes, picked), [nodes, picked]);

  // `version` is read so that a new state of the execution (its status) fetches the items again.
  useEffect(() => {
    if (keys.length === 0 || version === "") return;
    let stale = false;
    for (const key of keys) {
      void fetchItemViews(`${basePath ?? `/api/executions/${executionId}/iterations`}/${key}`).then(
        (views) => {
          if (!stale && views) setFetched((prev) => ({ ...prev, [`${executionId}/${key}`]: views }));
        },
      );
    }
    return () => {
      stale = true;
    };
  }, [executionId, keys, version, basePath]);

  const itemNode = useCallback(
    (nodeId: string): ItemNodeView | undefined => {
      const loop = parentOf.get(nodeId);
      if (loop === undefined) return undefined;
      const key = keyOf(loop);
      const stored = fetched[`${executionId}/${key}`]?.[nodeId];
      const liveView = iterations?.[nodeId]?.[key];
      if (!liveView) return stored;
      return { ...stored, ...liveView } as ItemNodeView;
    },
    [parentOf, keyOf, fetched, executionId, iterations],
  );

  const pick = useCallback((loopId: string, index: number) => {
    setPicked((prev) => ({ ...prev, [loopId]: Math.max(0, Math.floor(index)) }));
  }, []);

  return { picked, pick, keyOf, itemNode };
}

/** A loop's items: live from its events, else from its output once it finished. */
export function loopProgressOf(
  view: { progress?: LoopProgress; output?: unknown } | undefined,
): LoopProgress | undefined {
  if (!view) return undefined;
  if (view.progress) return view.progress;
  const out = view.output as { count?: unknown; errors?: unknown } | null | undefined;
  if (!out || typeof out.count !== "number") return undefined;
  return { done: out.count, failed: Array.isArray(out.errors) ? out.errors.length : 0, total: out.count };
}

/** The first failed item of a loop: from its output's `errors`, the detail's `failedItems`, or live views. */
export function firstFailedItem(
  loop: { output?: unknown; failedItems?: number[] } | undefined,
  bodyIds: readonly string[],
  iterations?: Record<string, Record<string, { status: NodeStatus }>>,
): number | undefined {
  const errors = (loop?.output as { errors?: Array<{ index: number }> } | undefined)?.errors;
  if (Array.isArray(errors) && errors.length > 0) return errors[0]!.index;
  if (loop?.failedItems && loop.failedItems.length > 0) return loop.failedItems[0];
  let best: number | undefined;
  for (const id of bodyIds) {
    for (const [key, view] of Object.entries(iterations?.[id] ?? {})) {
      if (view.status !== "failed") continue;
      const index = Number(key.split(".")[0]);
      if (best === undefined || index < best) best = index;
    }
  }
  return best;
}
