import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { RunnerReply } from "./runner-commands";

/** A runner process (`runner.ts` under `npx tsx`) writing events to the Postgres at `url`. */
export function spawnRunner(url: string, executionId: string, fence?: number) {
  const args = ["tsx", "--conditions=react-server", "lib/events/testing/runner.ts", url, executionId];
  if (fence !== undefined) args.push(String(fence));
  const child = spawn("npx", args, { cwd: process.cwd(), stdio: ["pipe", "pipe", "inherit"] });
  const waiting: { resolve: (r: RunnerReply) => void; reject: (e: Error) => void }[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const reply = JSON.parse(line) as RunnerReply & { error?: string };
    const next = waiting.shift();
    if (reply.ok) next?.resolve(reply);
    else next?.reject(new Error(reply.error));
  });
  const exited = once(child, "exit");
  void exited.then(([code]) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`runner exited with ${code}`));
  });
  return {
    pid: child.pid,
    command(line: string): Promise<RunnerReply> {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${line}\n`);
      });
    },
    async stop(): Promise<void> {
      if (child.exitCode === null) child.stdin.end("quit\n");
      await exited;
    },
  };
}
