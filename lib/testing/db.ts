import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import postgres from "postgres";
import { type Database, type Db, MIGRATIONS_FOLDER, openPglite, openPostgres } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";

/** The Postgres server tests use (a maintenance database; each test gets its own database). */
export const TEST_POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Which database the suite runs on: `BRAID_TEST_DB=postgres` selects real Postgres, else PGlite. */
export const testDbKind: "postgres" | "pglite" =
  process.env.BRAID_TEST_DB === "postgres" ? "postgres" : "pglite";

let available: Promise<boolean> | undefined;

/** Whether the test Postgres server answers. In CI its absence is an error, not a skip. */
export function postgresAvailable(): Promise<boolean> {
  available ??= (async () => {
    const sql = postgres(TEST_POSTGRES_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
    try {
      await sql`select 1`;
      return true;
    } catch (err) {
      if (process.env.CI) throw new Error(`CI needs Postgres at ${TEST_POSTGRES_URL}: ${String(err)}`);
      return false;
    } finally {
      await sql.end({ timeout: 1 });
    }
  })();
  return available;
}

function migrationsHash(): string {
  const h = createHash("sha256");
  for (const f of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (f.endsWith(".sql")) h.update(readFileSync(path.join(MIGRATIONS_FOLDER, f)));
  }
  return h.digest("hex").slice(0, 12);
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates (once per migration set) a migrated template database and returns its name. */
async function ensureTemplate(admin: postgres.Sql): Promise<string> {
  const name = `braid_tpl_${migrationsHash()}`;
  const conn = await admin.reserve();
  try {
    await conn`select pg_advisory_lock(4242001)`;
    const [row] = await conn`select 1 from pg_database where datname = ${name}`;
    if (!row) {
      await conn.unsafe(`drop database if exists ${name}_tmp with (force)`);
      await conn.unsafe(`create database ${name}_tmp`);
      const db = await openPostgres(withDatabase(TEST_POSTGRES_URL, `${name}_tmp`), {
        max: 1,
        migrate: true,
      });
      await db.close();
      // Renamed only once migrated, so a half-built template is never cloned.
      await conn.unsafe(`alter database ${name}_tmp rename to ${name}`);
    }
  } finally {
    await conn`select pg_advisory_unlock(4242001)`.catch(() => {});
    conn.release();
  }
  return name;
}

/**
 * Where the migrated PGlite template of the current migration set is kept: a tar of a data directory
 * right after `drizzle/` was applied. `BRAID_TEST_CACHE_DIR` overrides the folder.
 */
export function pgliteTemplatePath(): string {
  const dir = process.env.BRAID_TEST_CACHE_DIR ?? path.join(tmpdir(), "braid-test-cache");
  return path.join(dir, `pglite-${migrationsHash()}.tar`);
}

/**
 * Builds the migrated PGlite template once per migration set (a no-op when it is on disk already).
 * Written to a temporary name and renamed, so a reader never sees half a file; two processes racing
 * both write the same content. Vitest's global setup calls it before any worker starts.
 */
export async function ensurePgliteTemplate(): Promise<string> {
  const file = pgliteTemplatePath();
  if (existsSync(file)) return file;
  const database = await openPglite(undefined, { migrate: true });
  try {
    const dump = await (database.client as PGlite).dumpDataDir("none");
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  } finally {
    await database.close();
  }
  return file;
}

/** An in-memory PGlite loaded from the migrated template: no initdb, no migrations to replay. */
async function openPgliteFromTemplate(): Promise<Database> {
  const file = await ensurePgliteTemplate();
  const { PGlite } = await import("@electric-sql/pglite");
  const client: PGlite = await PGlite.create({ loadDataDir: new Blob([readFileSync(file)]) });
  const db = drizzle({ client, schema }) as unknown as Db;
  return { kind: "pglite", db, client, close: () => client.close() };
}

/**
 * A fresh, migrated, private database: a new Postgres database cloned from a migrated template,
 * or an in-memory PGlite loaded from the migrated template. `close()` drops it.
 */
export async function createTestDatabase(kind: "postgres" | "pglite" = testDbKind): Promise<Database> {
  if (kind === "pglite") {
    // BRAID_TEST_PGLITE_TEMPLATE=0 migrates each database from scratch instead (to rule the template out).
    if (process.env.BRAID_TEST_PGLITE_TEMPLATE === "0") return openPglite(undefined, { migrate: true });
    return openPgliteFromTemplate();
  }
  if (!(await postgresAvailable())) throw new Error(`Postgres is not reachable at ${TEST_POSTGRES_URL}`);
  const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
  try {
    const template = await ensureTemplate(admin);
    const name = `braid_t_${randomBytes(6).toString("hex")}`;
    // CREATE DATABASE … TEMPLATE fails while another session is connected to the template.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${template}`);
        break;
      } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
    const db = await openPostgres(withDatabase(TEST_POSTGRES_URL, name), { max: 10 });
    const close = db.close;
    return {
      ...db,
      close: async () => {
        await close();
        const dropper = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
        await dropper.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
        await dropper.end({ timeout: 1 });
      },
    } as Database;
  } finally {
    await admin.end({ timeout: 1 });
  }
}
