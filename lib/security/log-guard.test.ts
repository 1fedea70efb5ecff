import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { guardConsole, MAX_LOG_ARG_CHARS, safeLogArgument } from "./log-guard";

describe("the log guard", () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it("logs a failed query's error without its SQL parameters", async () => {
    const secretish = `payload-${"q".repeat(100_000)}`;
    const err = await database.db.execute(sql`insert into no_such_table (x) values (${secretish})`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    // Unguarded, the error's own message carries the parameter.
    expect(String((err as Error).message)).toContain("payload-qqq");
    const lines: string[] = [];
    const write = (...a: unknown[]) => {
      lines.push(a.map(String).join(" "));
    };
    const sink = { error: write, warn: write, log: write, info: write, debug: write };
    guardConsole(sink);
    sink.error("events: dropped 1 event(s):", err);
    sink.warn(`Failed query: insert …\nparams: ${secretish}`);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain("payload-");
    expect(lines[0]).toMatch(/database error/);
  });

  it("bounds long strings and leaves other values alone", () => {
    expect(String(safeLogArgument("a".repeat(MAX_LOG_ARG_CHARS + 10))).length).toBeLessThan(
      MAX_LOG_ARG_CHARS + 50,
    );
    const o = { a: 1 };
    expect(safeLogArgument(o)).toBe(o);
  });
});
