import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const GUARD = path.join(import.meta.dirname, "driver-rejections.ts");

/** Runs `body` in a fresh Node process with the guard installed; returns its exit code and output. */
function runGuarded(body: string): { status: number | null; output: string } {
  const program = `import { installDriverRejectionGuard } from ${JSON.stringify(GUARD)};
installDriverRejectionGuard();
${body}`;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: child.status, output: child.stdout + child.stderr };
}

describe("installDriverRejectionGuard", () => {
  it("logs an unhandled lost-connection error and the process goes on", () => {
    const { status, output } = runGuarded(`
Promise.reject(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }));
Promise.reject(Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" }));
setTimeout(() => console.log("still running"), 50);`);
    expect(status, output).toBe(0);
    expect(output).toContain("still running");
    expect(output.match(/database connection ended as it opened/g)).toHaveLength(2);
    expect(output).toContain("57P01 terminating connection");
  });

  it("still ends the process on any other unhandled rejection", () => {
    const { status, output } = runGuarded(`
Promise.reject(Object.assign(new Error("duplicate key value"), { code: "23505" }));
setTimeout(() => console.log("still running"), 200);`);
    expect(status).toBe(1);
    expect(output).toContain("duplicate key value");
    expect(output).not.toContain("still running");
  });
});
