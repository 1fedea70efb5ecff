/**
 * A drainer in its own process, for crash tests: run under the react-server condition
 * (`node --conditions=react-server --import tsx lib/runs/testing/runner-child.ts`) with
 * DATABASE_URL and EXECUTION_LEASE_MS set. It drains once (one execution at a time), prints the
 * totals as JSON and exits. The parent kills (SIGKILL) or stalls (SIGSTOP/SIGCONT) it mid-run.
 */
import { openPostgres } from "@/lib/db/client";
import { drainQueue } from "@/lib/runs/drain";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const database = await openPostgres(url, { max: 4 });
console.log("ready");
const result = await drainQueue(database, { concurrency: 1, budgetMs: 120_000, pruneBatch: 0 });
console.log(JSON.stringify(result));
await database.close();
process.exit(0);
