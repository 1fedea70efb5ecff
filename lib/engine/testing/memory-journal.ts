import type { Journal, NodeCheckpoint } from "../ports";

/** A journal kept in memory (tests, benchmarks, single-node runs); `checkpoints` is its live map. */
export interface MemoryJournal extends Journal {
  readonly checkpoints: Map<string, NodeCheckpoint>;
  /** Every checkpoint saved, in order. */
  readonly saved: NodeCheckpoint[];
}

/** Creates an in-memory journal, optionally pre-filled (to test resume). */
export function createMemoryJournal(
  initial: Record<string, NodeCheckpoint> = {},
  options: { keepHistory?: boolean } = {},
): MemoryJournal {
  const checkpoints = new Map(Object.entries(initial).map(([id, cp]) => [id, { ...cp }]));
  const saved: NodeCheckpoint[] = [];
  const keepHistory = options.keepHistory ?? true;
  return {
    checkpoints,
    saved,
    async load() {
      return Object.fromEntries([...checkpoints].map(([id, cp]) => [id, { ...cp }]));
    },
    async save(checkpoint) {
      checkpoints.set(checkpoint.nodeId, checkpoint);
      if (keepHistory) saved.push(checkpoint);
    },
  };
}
