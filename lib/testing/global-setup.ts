import { ensurePgliteTemplate } from "./db";

/**
 * Vitest global setup: builds the migrated PGlite template once, before any worker starts, so test
 * files load it instead of each running initdb and every migration.
 */
export default async function setup(): Promise<void> {
  await ensurePgliteTemplate();
}
