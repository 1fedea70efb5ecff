import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DELETE, PUT } from "@/app/api/secrets/[name]/route";
import { GET } from "@/app/api/secrets/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { startRun } from "@/lib/runs/start-run";
import { insertWorkflow } from "@/lib/runs/testing/fixtures";
import { createTestDatabase } from "@/lib/testing/db";

const VALUE = "api-secret-canary-7d3f09";
const ctx = (name: string) => ({ params: Promise.resolve({ name }) });
const put = (name: string, body: unknown) =>
  PUT(
    new Request(`http://localhost/api/secrets/${name}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    ctx(name),
  );
const del = (name: string) => DELETE(new Request("http://localhost", { method: "DELETE" }), ctx(name));
const list = async () => (await GET(new Request("http://localhost/api/secrets"), undefined)).json();

describe("secrets API", () => {
  let database: Database;
  const saved = { ...process.env };
  const setEnv = (vars: Record<string, string | undefined>) => {
    process.env = { ...saved };
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnv();
  };
  const rows = async () =>
    query<{ name: string; ciphertext: string }>(
      database.db,
      sql`select name, ciphertext from secrets order by name`,
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterEach(() => setEnv({}));
  afterAll(async () => {
    process.env = saved;
    resetEnv();
    setDatabase(undefined);
    await database?.close();
  });

  it("without APP_SECRET lists environment secrets and refuses to store, saying why", async () => {
    setEnv({ APP_SECRET: undefined, BRAID_SECRET_FROM_ENV: "env-value-1234" });
    expect(await list()).toEqual({ secrets: [{ name: "FROM_ENV", source: "env" }], storeAvailable: false });
    const res = await put("NEW_TOKEN", { value: VALUE });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: "secrets_unavailable", message: /APP_SECRET/ });
    expect(await rows()).toEqual([]);
  });

  it("stores secrets encrypted, lists names only, and runs workflows with them redacted", async () => {
    setEnv({ APP_SECRET: "api-test-app-secret", BRAID_SECRET_SHADOWED: "env-value-5678" });
    expect((await put("NEW_TOKEN", { value: "first-value-0001" })).status).toBe(204);
    expect((await put("NEW_TOKEN", { value: VALUE })).status).toBe(204);
    expect((await put("SHADOWED", { value: "table-value-9999" })).status).toBe(204);

    const listed = await list();
    expect(listed).toMatchObject({
      storeAvailable: true,
      secrets: [
        { name: "NEW_TOKEN", source: "stored", updatedAt: expect.any(String) },
        { name: "SHADOWED", source: "stored", overridesEnv: true },
      ],
    });
    expect(JSON.stringify(listed)).not.toContain(VALUE);
    const stored = await rows();
    expect(stored.map((r) => r.name)).toEqual(["NEW_TOKEN", "SHADOWED"]);
    expect(JSON.stringify(stored)).not.toContain(VALUE);
    expect(JSON.stringify(stored)).not.toContain(Buffer.from(VALUE).toString("base64"));

    const workflowId = await insertWorkflow(database.db, {
      version: 1,
      name: "uses a secret",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "size", type: "transform", config: { expression: "$length(secrets.NEW_TOKEN)" } },
        { id: "leak", type: "transform", config: { expression: '"token=" & secrets.NEW_TOKEN' } },
        { id: "out", type: "output", config: { value: "{ 'size': nodes.size, 'leak': nodes.leak }" } },
      ],
      edges: [
        { source: "start", target: "size" },
        { source: "start", target: "leak" },
        { source: "size", target: "out" },
        { source: "leak", target: "out" },
      ],
    });
    const run = await startRun(database, workflowId, { mode: "immediate" });
    expect(run.body).toMatchObject({
      status: "succeeded",
      outputs: { out: { size: VALUE.length, leak: "token=[REDACTED]" } },
    });
    const everything = await query<{ text: string }>(
      database.db,
      sql`select (select coalesce(jsonb_agg(e.payload), '[]'::jsonb) from execution_events e)::text
        || (select coalesce(jsonb_agg(n.output), '[]'::jsonb) from node_runs n)::text
        || (select coalesce(jsonb_agg(x.outputs), '[]'::jsonb) from executions x)::text as text`,
    );
    expect(everything[0]?.text).not.toContain(VALUE);
  });

  it.each([
    ["a name with a hyphen", "bad-name", { value: "v-1234" }, 422, "name"],
    ["no value", "OK_NAME", {}, 422, "value"],
    ["an empty value", "OK_NAME", { value: "" }, 422, "value"],
    ["a value that is not a string", "OK_NAME", { value: 42 }, 422, "value"],
    ["an extra field", "OK_NAME", { value: "v-1234", scope: "all" }, 422, "scope"],
    ["a value over 64 KB", "OK_NAME", { value: "x".repeat(65 * 1024) }, 422, "value"],
    ["a body over 128 KB", "OK_NAME", { value: "x".repeat(130 * 1024) }, 413, ""],
    ["malformed JSON", "OK_NAME", "{", 400, ""],
  ])("refuses %s with a 4xx naming the field, storing nothing", async (_label, name, body, status, field) => {
    setEnv({ APP_SECRET: "api-test-app-secret" });
    const before = await rows();
    const res = await put(name, body);
    expect(res.status).toBe(status);
    const { error } = await res.json();
    if (field) expect(`${error.issues?.[0]?.path ?? ""} ${error.message}`).toContain(field);
    expect(await rows()).toEqual(before);
  });

  it("deletes stored secrets; an environment one is refused with 409, an unknown one 404", async () => {
    setEnv({ APP_SECRET: "api-test-app-secret", BRAID_SECRET_ONLY_ENV: "env-value-4321" });
    expect((await del("NEW_TOKEN")).status).toBe(204);
    expect((await list()).secrets.map((s: { name: string }) => s.name)).not.toContain("NEW_TOKEN");
    expect((await del("NEW_TOKEN")).status).toBe(404);
    const envOnly = await del("ONLY_ENV");
    expect(envOnly.status).toBe(409);
    expect((await envOnly.json()).error.message).toContain("BRAID_SECRET_ONLY_ENV");
    expect((await del("bad-name")).status).toBe(422);
  });
});
