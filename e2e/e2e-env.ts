/** Where the e2e app listens and which database it uses; shared by the config, the setup and the specs. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_DATABASE_URL =
  process.env.E2E_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/braid_e2e";
export const E2E_DIST_DIR = process.env.E2E_DIST_DIR ?? ".next-e2e";
export const E2E_CRON_SECRET = "e2e-secret";
/** A secret the e2e server knows (as `secrets.E2E_SHARED`): share pages must never show it. */
export const E2E_SHARED_SECRET = "e2e-env-secret-5d9a0b";
/** Where the e2e app finds its OpenAI-compatible server (a spec starts lib/testing/openai-server.ts there). */
export const E2E_OPENAI_PORT = Number(process.env.E2E_OPENAI_PORT ?? E2E_PORT + 1000);
export const E2E_OPENAI_KEY = "sk-e2e-local-openai-server";
