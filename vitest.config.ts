import path from "node:path";
import { defineConfig } from "vitest/config";
import { isConnectionError } from "./lib/db/connection-errors";

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
    // A test process's own postgres.js pool meets the driver defect the worker guards against
    // (lib/db/driver-rejections.ts) when a test restarts the database: a connection ended while it
    // opens rejects a promise nobody holds. That one error class does not fail the run; every
    // other unhandled error still does.
    onUnhandledError: (error) =>
      error.type === "Unhandled Rejection" && isConnectionError(error) ? false : undefined,
  },
});
