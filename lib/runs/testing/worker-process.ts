import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const WORKER = path.join(import.meta.dirname, "..", "..", "..", "scripts", "worker.ts");

/** `npm run worker` in a process of its own, for tests that drain through it. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr as they came. */
  readonly output: string;
  /** Sends SIGTERM and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the worker with `env` over this process's environment and resolves once it drains
 * (it printed "worker: draining"); throws with its output when that takes over 30 s.
 */
export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", WORKER], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (d: unknown) => {
    output += String(d);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const end = Date.now() + 30_000;
  while (!output.includes("worker: draining")) {
    if (Date.now() > end) throw new Error(`worker did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    child,
    get output() {
      return output;
    },
    stop() {
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      return exited;
    },
  };
}
