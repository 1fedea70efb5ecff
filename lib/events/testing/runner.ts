/**
 * A runner in its own process for cross-process tests: commands of `createSimulatedRunner` come
 * line by line on stdin, each answered by one JSON line on stdout; `quit` exits.
 *
 * Usage: npx tsx --conditions=react-server lib/events/testing/runner.ts <databaseUrl> <executionId> [fence]
 */
import { createInterface } from "node:readline";
import { openPostgres } from "@/lib/db/client";
import { createSimulatedRunner } from "./runner-commands";

const [url, executionId, fence] = process.argv.slice(2);
if (!url || !executionId) throw new Error("usage: runner.ts <databaseUrl> <executionId> [fence]");

const database = await openPostgres(url, { max: 2 });
const command = createSimulatedRunner(database, executionId, fence ? Number(fence) : undefined);

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "quit") break;
  try {
    process.stdout.write(`${JSON.stringify(await command(line))}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: String(err) })}\n`);
  }
}
await database.close();
