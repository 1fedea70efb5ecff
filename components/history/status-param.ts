import { ExecutionStatus } from "@/lib/contract/status";

/** The history page's `?status=` as a status, or undefined (no filter) for anything else. */
export function parseStatusFilter(value: unknown): ExecutionStatus | undefined {
  const parsed = ExecutionStatus.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
