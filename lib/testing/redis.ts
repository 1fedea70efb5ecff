import { spawnSync } from "node:child_process";
import { connectResp } from "./resp";

/** The shared Redis tests use (keys under a random prefix, never flushed). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let available: Promise<boolean> | undefined;

/**
 * Whether the test Redis answers PING. Tests that need it are skipped on a machine without one
 * (`npm test` on a fresh machine); under CI=true its absence is an error, not a skip.
 */
export function redisAvailable(): Promise<boolean> {
  available ??= (async () => {
    try {
      const client = await connectResp(TEST_REDIS_URL);
      try {
        await client.send(["PING"]);
      } finally {
        client.close();
      }
      return true;
    } catch (err) {
      if (process.env.CI) throw new Error(`CI needs Redis at ${TEST_REDIS_URL}: ${String(err)}`);
      return false;
    }
  })();
  return available;
}

/** Whether `redis-server` can be started for tests that kill a private instance. */
export function redisServerInstalled(): boolean {
  const found = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
  if (!found && process.env.CI) throw new Error("CI needs redis-server on PATH");
  return found;
}
