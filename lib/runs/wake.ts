import "server-only";

/** In-process wake-ups for idle drain loops: `enqueue` calls `wakeDrainers()` so a run starts at once. */
const listeners = new Set<() => void>();

/** Registers a listener; returns its removal. */
export function onWake(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Wakes every drain loop of this process. */
export function wakeDrainers(): number {
  for (const l of listeners) l();
  return listeners.size;
}
