import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { errorResponse } from "@/lib/api/errors";
import type { Database } from "@/lib/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { loggableError, safeErrorMessage } from "./safe-error";

const PARAM = "secret-param-value-8e1f";

describe("database errors never show SQL or parameters", () => {
  let database: Database;
  let failure: unknown;
  beforeAll(async () => {
    database = await createTestDatabase();
    try {
      await database.db.execute(sql`select ${PARAM}::int as n from no_such_table_x`);
    } catch (err) {
      failure = err;
    }
  });
  afterAll(async () => {
    await database?.close();
  });

  it("a real failed query carries its SQL and parameters (what must not leak)", () => {
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).toContain("no_such_table_x");
    expect(String((failure as Error).message)).toContain(PARAM);
  });

  it("safeErrorMessage keeps the driver's reason only", () => {
    const message = safeErrorMessage(failure);
    expect(message).toMatch(/^database error/);
    expect(message).not.toContain(PARAM);
    expect(message).not.toMatch(/select|Failed query/i);
  });

  it("a route's 500 logs no parameters and answers no internals", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = errorResponse(failure);
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain(PARAM);
      const logged = spy.mock.calls.flat().map(String).join("\n");
      expect(logged).toContain("database error");
      expect(logged).not.toContain(PARAM);
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    ["plain message", new Error("boom"), "boom"],
    ["params line cut", new Error(`oops\nparams: ${PARAM}`), "oops"],
    ["huge message bounded", new Error("x".repeat(5000)), `${"x".repeat(1000)}… (4000 more characters)`],
    ["not an Error", "just text", "just text"],
  ])("%s", (_name, err, expected) => {
    expect(safeErrorMessage(err)).toBe(expected);
    expect(loggableError(err)).not.toContain(PARAM);
  });
});
