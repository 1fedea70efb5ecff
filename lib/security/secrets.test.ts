import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { query } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { deleteSecret, envSecrets, listSecrets, loadSecrets, setSecret } from "./secrets";

describe("secrets store", () => {
  let database: Database;
  const saved = { ...process.env };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  afterEach(() => {
    process.env = { ...saved };
    resetEnv();
  });

  function withEnv(vars: Record<string, string | undefined>) {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnv();
  }

  it("reads BRAID_SECRET_<NAME> variables", () => {
    expect(
      envSecrets({ BRAID_SECRET_API_KEY: "k1", BRAID_SECRET_: "x", BRAID_SECRET_9bad: "y", OTHER: "z" }),
    ).toEqual({
      API_KEY: "k1",
    });
  });

  it("encrypts table secrets at rest and loads them with the environment's", async () => {
    withEnv({ APP_SECRET: "test-app-secret-1", BRAID_SECRET_FROM_ENV: "env-value-1" });
    await setSecret(database, "TOKEN", "plain-canary-value-42");
    await setSecret(database, "TOKEN", "plain-canary-value-43");
    const dump = await query<{ t: string }>(
      database.db,
      sql`select row_to_json(s)::text as t from secrets s`,
    );
    expect(dump.map((r) => r.t).join("\n")).not.toContain("plain-canary-value");
    expect(await loadSecrets(database)).toEqual({ FROM_ENV: "env-value-1", TOKEN: "plain-canary-value-43" });
    expect((await listSecrets(database)).map((s) => s.name)).toEqual(["FROM_ENV", "TOKEN"]);
    expect(await deleteSecret(database, "TOKEN")).toBe(true);
    expect(await deleteSecret(database, "TOKEN")).toBe(false);
    expect(await loadSecrets(database)).toEqual({ FROM_ENV: "env-value-1" });
  });

  it("skips rows that do not decrypt under another APP_SECRET", async () => {
    withEnv({ APP_SECRET: "first-secret" });
    await setSecret(database, "ROTATED", "value-under-first");
    withEnv({ APP_SECRET: "second-secret" });
    expect(await loadSecrets(database)).not.toHaveProperty("ROTATED");
    withEnv({ APP_SECRET: "first-secret" });
    expect(await loadSecrets(database)).toMatchObject({ ROTATED: "value-under-first" });
    await deleteSecret(database, "ROTATED");
  });

  it("without APP_SECRET the table is unavailable and says so", async () => {
    withEnv({ APP_SECRET: undefined, BRAID_SECRET_ONLY_ENV: "v-env" });
    await expect(setSecret(database, "X", "value")).rejects.toMatchObject({
      status: 409,
      code: "secrets_unavailable",
    });
    expect(await loadSecrets(database)).toEqual({ ONLY_ENV: "v-env" });
  });

  it("rejects bad names and values with a 422 naming the field", async () => {
    withEnv({ APP_SECRET: "s" });
    await expect(setSecret(database, "bad-name", "v")).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(/^name:/),
    });
    await expect(setSecret(database, "OK", "")).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(/^value:/),
    });
  });
});
