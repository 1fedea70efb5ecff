import { mkdirSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { E2E_DATABASE_URL } from "./e2e-env";

/**
 * Runs after the web server is up (Playwright's order): makes the screenshots folder and checks the
 * e2e database answers, so a misconfigured run fails here with a clear message rather than in a test.
 */
export default async function globalSetup(): Promise<void> {
  mkdirSync(path.join(import.meta.dirname, "screenshots"), { recursive: true });
  const sql = postgres(E2E_DATABASE_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (err) {
    throw new Error(`the e2e database ${E2E_DATABASE_URL} does not answer: ${String(err)}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
