import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const RUNNER = path.join(import.meta.dirname, "runner-child.ts");

/**
 * Starts `runner-child.ts` (a drainer in its own process) against the Postgres at `url`, with
 * leases of `leaseMs`, for crash tests that kill (SIGKILL) or stall (SIGSTOP) it mid-run.
 */
export function spawnRunner(url: string, leaseMs: number): ChildProcess {
  return spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", RUNNER], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      EXECUTION_LEASE_MS: String(leaseMs),
      HTTP_ALLOW_PRIVATE_NETWORK: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Resolves once the process has exited (at once when it already has). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
  );
