"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import type { NodeError, NodeStatus } from "@/lib/engine/ports";

/** A body node's state in one item: from the item's stored checkpoint, patched by live events. */
export interface ItemNodeView {
  status: NodeStatus;
  input?: unknown;
  output?: unknown;
  error?: NodeError | null;
  durationMs?: number | null;
  attempts?: number;
}

type Node = { id: string; type: string; parentId?: string };

/**
 * Which item of each loop the user looks at, and what the body nodes did in it: the builder and
 * the execution page draw body nodes in the picked item's colors. The stored side comes from
 * `GET /api/executions/:id/iterations/:path` (fetched when the pick or the execution's state
 * changes); live `iteration` events (the reducer's `iterations`) are newer and win.
 */
export function useLoopItems({
  executionId,
  nodes,
  iterations,
  version,
  canFetch = true,
  controlled,
  basePath,
}: {
  executionId: string | undefined;
  nodes: readonly Node[];
  /** Live per-iteration views: node id → iteration key → view. */
  iterations?: Record<string, Record<string, Partial<ItemNodeView> & { status: NodeStatus }>>;
  /** Changes when the execution moves on (status), to refetch the picked items. */
  version?: string;
  /** Whether the iterations route may be read. */
  canFetch?: boolean;
  /** Where items are read from: default `/api/executions/<id>/iterations` (a share page passes its own). */
  basePath?: string;
  /** Picked items kept elsewhere (the builder's UI store); default: local state. */
  controlled?: { picked: Record<string, number>; pick(loopId: string, index: number): void };
}) {
  const [own, setOwn] = useState<Record<string, number>>({});
  const picked = controlled?.picked ?? own;
  const [fetched, setFetched] = useState<Record<string, Record<string, ItemNodeView>>>({});
  const parentOf = useMemo(() => new Map(nodes.map((n) => [n.id, n.parentId])), [nodes]);

  /** The iteration key of a loop's body for the picked items (nested: outer index first). */
  const keyOf = useCallback(
    (loopId: string): string => {
      const path: number[] = [];
      const seen = new Set<string>();
      for (let l: string | undefined = loopId; l !== undefined && !seen.has(l); l = parentOf.get(l)) {
        seen.add(l);
        path.unshift(picked[l] ?? 0);
      }
      return path.join(".");
    },
    [picked, parentOf],
  );

  const loops = useMemo(
    () => [...new Set(nodes.flatMap((n) => (n.parentId !== undefined ? [n.parentId] : [])))],
    [nodes],
  );
  const keys = useMemo(() => [...new Set(loops.map(keyOf))].sort(), [loops, keyOf]);

  // `version` is read so that a new state of the execution (its status) fetches the items again.
  useEffect(() => {
    if (!executionId || !canFetch || keys.length === 0 || version === "") return;
    let stale = false;
    for (const key of keys) {
      fetch(`${basePath ?? `/api/executions/${executionId}/iterations`}/${key}`)
        .then((res) => (res.ok ? res.json() : undefined))
        .then((body: { nodes?: Record<string, ItemNodeView> } | undefined) => {
          if (stale || !body?.nodes) return;
          setFetched((prev) => ({ ...prev, [`${executionId}/${key}`]: body.nodes! }));
        })
        .catch(() => {});
    }
    return () => {
      stale = true;
    };
  }, [executionId, canFetch, keys, version, basePath]);

  const itemNode = useCallback(
    (nodeId: string): ItemNodeView | undefined => {
      const loop = parentOf.get(nodeId);
      if (loop === undefined) return undefined;
      const key = keyOf(loop);
      const stored = executionId ? fetched[`${executionId}/${key}`]?.[nodeId] : undefined;
      const liveView = iterations?.[nodeId]?.[key];
      if (!liveView) return stored;
      return { ...stored, ...liveView } as ItemNodeView;
    },
    [parentOf, keyOf, fetched, executionId, iterations],
  );

  const controlledPick = controlled?.pick;
  const pick = useCallback(
    (loopId: string, index: number) => {
      if (controlledPick) controlledPick(loopId, index);
      else setOwn((prev) => ({ ...prev, [loopId]: Math.max(0, Math.floor(index)) }));
    },
    [controlledPick],
  );

  return { picked, pick, keyOf, itemNode };
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

/** The iteration path a loop body node runs for when played alone: the picked item at each level. */
export function iterationPathOf(
  nodes: readonly Node[],
  nodeId: string,
  picked: Record<string, number>,
): number[] | undefined {
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId]));
  const path: number[] = [];
  const seen = new Set<string>();
  for (let l = parentOf.get(nodeId); l !== undefined && !seen.has(l); l = parentOf.get(l)) {
    seen.add(l);
    path.unshift(picked[l] ?? 0);
  }
  return path.length > 0 ? path : undefined;
}
