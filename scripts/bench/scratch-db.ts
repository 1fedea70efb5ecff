import { randomBytes } from "node:crypto";
import postgres from "postgres";

/** A throwaway database on the benchmark's Postgres server, created for one bench part. */
export interface ScratchDatabase {
  /** The server (TEST_DATABASE_URL, else the local one) the scratch database lives on. */
  server: string;
  /** The scratch database's connection string. */
  url: string;
  /** Drops the database (with force) and closes the admin connection; never throws for the drop. */
  drop(): Promise<void>;
}

/** Creates `braid_bench_<part>_<random>` on the benchmark server. */
export async function createScratchDatabase(part: string): Promise<ScratchDatabase> {
  const server = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `braid_bench_${part}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  return {
    server,
    url: u.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end();
    },
  };
}
