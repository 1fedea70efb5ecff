import postgres from "postgres";
import { E2E_DATABASE_URL } from "./e2e-env";

/**
 * Drops and recreates the e2e database (`braid_e2e`, or the one named by E2E_DATABASE_URL) so each
 * run starts empty; the app migrates it on first use. Run as the first step of the webServer
 * command, because Playwright starts the web server before `globalSetup`.
 */
export async function prepareE2eDatabase(url = E2E_DATABASE_URL): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unexpected e2e database name: ${name}`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  prepareE2eDatabase().then(
    () => console.log(`e2e database ready: ${E2E_DATABASE_URL.replace(/\/\/[^@]*@/, "//")}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
