import { type ChildProcess, spawn } from "node:child_process";

/** A child process spinning on a core, so tests and benches see a busy machine. */
export interface CpuBurner {
  stop(): Promise<void>;
}

/** Starts `count` (default 1) child processes that spin until stopped. */
export async function startCpuBurner(count = 1): Promise<CpuBurner> {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, ["-e", "process.stdout.write('go\\n');for(;;){}"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.stdout?.once("data", () => resolve());
    });
    children.push(child);
  }
  return {
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGKILL");
            }),
        ),
      );
    },
  };
}
