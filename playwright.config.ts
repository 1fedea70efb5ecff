import { defineConfig } from "@playwright/test";
import {
  E2E_BASE_URL,
  E2E_CRON_SECRET,
  E2E_DATABASE_URL,
  E2E_DIST_DIR,
  E2E_OPENAI_KEY,
  E2E_OPENAI_PORT,
  E2E_PORT,
  E2E_SHARED_SECRET,
} from "./e2e/e2e-env";

/**
 * End-to-end tests against the built app on real Postgres, in Debian's Chromium.
 * The web server recreates the e2e database, builds into its own dist dir and starts on E2E_PORT.
 * Set E2E_SKIP_BUILD=1 to reuse an existing build in that dist dir.
 */
const build = process.env.E2E_SKIP_BUILD ? "" : "npx next build && ";

export default defineConfig({
  testDir: "e2e",
  // Per port, so parallel runs (each on its own E2E_PORT) never wipe each other's artifacts.
  outputDir: `test-results/e2e-${E2E_PORT}`,
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    baseURL: E2E_BASE_URL,
    browserName: "chromium",
    headless: true,
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.E2E_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: `npx tsx e2e/prepare-db.ts && ${build}npx next start -p ${E2E_PORT} -H 127.0.0.1`,
    url: `${E2E_BASE_URL}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 900_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      NEXT_DIST_DIR: E2E_DIST_DIR,
      NODE_ENV: "production",
      DATABASE_URL: E2E_DATABASE_URL,
      HTTP_ALLOW_PRIVATE_NETWORK: "true",
      CRON_SECRET: E2E_CRON_SECRET,
      IMMEDIATE_BUDGET_MS: "15000",
      NEXT_TELEMETRY_DISABLED: "1",
      BRAID_SECRET_E2E_SHARED: E2E_SHARED_SECRET,
      // Enables the encrypted secrets table (sessions stay off: no APP_PASSWORD).
      APP_SECRET: "e2e-app-secret-for-the-secrets-table",
      // LLM nodes call the local OpenAI-compatible server e2e/llm-cost.spec.ts starts on this port.
      OPENAI_BASE_URL: `http://127.0.0.1:${E2E_OPENAI_PORT}/v1`,
      OPENAI_API_KEY: E2E_OPENAI_KEY,
    },
  },
});
