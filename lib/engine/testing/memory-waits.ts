import type { WaitLinks, WaitPort, WaitRegistration, WaitResolution, WaitState } from "../ports";

/** A wait store in memory for engine tests: registrations by key, resolved by the test. */
export interface MemoryWaits extends WaitPort {
  readonly registered: Map<string, WaitRegistration>;
  /** Resolves the wait of `key` (as a resume, timer or approval would). */
  resolve(key: string, resolution: Omit<WaitResolution, "resumedAt">): void;
}

export function createMemoryWaits(): MemoryWaits {
  const registered = new Map<string, WaitRegistration>();
  const resolved = new Map<string, WaitResolution>();
  return {
    registered,
    async register(wait): Promise<WaitState> {
      if (!registered.has(wait.key)) registered.set(wait.key, wait);
      const resolution = resolved.get(wait.key);
      return resolution ? { status: "resolved", resolution } : { status: "pending" };
    },
    links(key): WaitLinks {
      return { resumeUrl: `/api/resume/t-${key}`, approvalUrl: `/approve/t-${key}` };
    },
    resolve(key, resolution) {
      resolved.set(key, { resumedAt: new Date().toISOString(), ...resolution });
    },
  };
}
