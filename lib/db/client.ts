import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type postgres from "postgres";
import { getEnv } from "@/lib/env";
import * as schema from "./schema";

/** The drizzle database, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * An open database: drizzle plus the raw client, which LISTEN/NOTIFY needs.
 * PGlite is single-process: one instance per data directory, held for the life of the process.
 */
export type Database =
  | { kind: "postgres"; db: Db; client: postgres.Sql; url: string; close(): Promise<void> }
  | { kind: "pglite"; db: Db; client: PGlite; close(): Promise<void> };

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

/** Rows of a `db.execute()` result, which postgres.js returns as an array and PGlite as `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Runs a raw SQL statement and returns its rows. */
export async function query<T>(db: Db, statement: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(statement));
}

/**
 * The client drizzle is given: drizzle's postgres-js driver passes `prepare: false` to every query
 * that was not given a name with `.prepare(name)` (db.execute and the query builder included),
 * which overrides the client's `prepare: true`. This view of the client prepares them all, so the
 * hot statements (claim, checkpoint upsert, event append, settle) are parsed and planned once per
 * connection. Transactions (`begin`) use postgres.js's own client, unchanged.
 */
function preparing(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (query: string, params?: unknown[], options?: { prepare?: boolean }) =>
          // biome-ignore lint/suspicious/noExplicitAny: postgres.js's parameter types are stricter than drizzle's
          target.unsafe(query, params as any, { ...options, prepare: true });
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** Opens Postgres through postgres.js. */
export async function openPostgres(
  url: string,
  options: { max?: number; migrate?: boolean } = {},
): Promise<Database> {
  const { default: postgresJs } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgresJs(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    prepare: true,
    connection: { application_name: "braid" },
  });
  const db = drizzle({ client: preparing(client), schema }) as unknown as Db;
  const database: Database = { kind: "postgres", db, client, url, close: () => client.end({ timeout: 5 }) };
  if (options.migrate) await migrateDatabase(database);
  return database;
}

/** Opens PGlite: in memory when `dataDir` is undefined, else under that directory. */
export async function openPglite(dataDir?: string, options: { migrate?: boolean } = {}): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const db = drizzle({ client, schema }) as unknown as Db;
  const database: Database = { kind: "pglite", db, client, close: () => client.close() };
  if (options.migrate ?? true) await migrateDatabase(database);
  return database;
}

/** Applies the generated migrations in `drizzle/` (serialized across processes on Postgres). */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants the concrete driver type
    await migrate(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { default: postgresJs } = await import("postgres");
  // One dedicated connection holds a session advisory lock so concurrent processes migrate in turn.
  const client = postgresJs(database.url, { max: 1, onnotice: () => {} });
  const lockId = 7_236_104_551;
  try {
    await client`select pg_advisory_lock(${lockId})`;
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client`select pg_advisory_unlock(${lockId})`.catch(() => {});
    await client.end({ timeout: 5 });
  }
}

const globalForDb = globalThis as unknown as { __braidDb?: Promise<Database> };

/**
 * The process-wide database: Postgres when `DATABASE_URL` is set, else the embedded PGlite under
 * `PGLITE_DATA_DIR`, created and migrated on first use. Kept on `globalThis` so hot reloads in
 * development reuse the one PGlite instance its data directory allows.
 */
export function getDatabase(): Promise<Database> {
  if (!globalForDb.__braidDb) {
    const env = getEnv();
    const opening = env.DATABASE_URL
      ? openPostgres(env.DATABASE_URL, { migrate: env.DATABASE_AUTO_MIGRATE })
      : openPglite(path.resolve(env.PGLITE_DATA_DIR), { migrate: true });
    globalForDb.__braidDb = opening;
    opening.catch(() => {
      if (globalForDb.__braidDb === opening) globalForDb.__braidDb = undefined;
    });
  }
  return globalForDb.__braidDb;
}

/** Shortcut for `(await getDatabase()).db`. */
export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/** Replaces the process-wide database (tests, scripts that open their own). */
export function setDatabase(database: Database | undefined): void {
  globalForDb.__braidDb = database ? Promise.resolve(database) : undefined;
}
