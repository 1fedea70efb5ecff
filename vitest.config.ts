import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Most test files wait on timers, sockets and child processes rather than the CPU, so the suite runs
 * more files at once than there are cores (vitest's default is cores − 1, one worker on 2 cores).
 * `VITEST_MAX_WORKERS` (or `--maxWorkers`) overrides it.
 */
const maxWorkers = Number(process.env.VITEST_MAX_WORKERS) || 4;

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      "server-only": path.resolve(import.meta.dirname, "lib/testing/server-only-stub.ts"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts", "components/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers,
    globalSetup: ["lib/testing/global-setup.ts"],
  },
});
