import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as runRoute } from "@/app/api/workflows/[id]/run/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { insertWorkflow } from "./testing/fixtures";

const post = (id: string, body: unknown) =>
  runRoute(
    new Request(`http://localhost/api/workflows/${id}/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ id }) },
  );

const echo: WorkflowDefinition = {
  version: 1,
  name: "echo",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "out", type: "output", config: { value: "inputs.n" } },
  ],
  edges: [{ source: "start", target: "out" }],
};

describe("a run request carrying the client's executionId", () => {
  let database: Database;
  let workflowId: string;
  const count = async () =>
    (await query<{ n: number }>(database.db, sql`select count(*)::int as n from executions`))[0]!.n;
  beforeAll(async () => {
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    workflowId = await insertWorkflow(database.db, echo);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database?.close();
  });

  it("runs under that id, so the client can follow it before the answer", async () => {
    const executionId = randomUUID();
    const res = await post(workflowId, { mode: "immediate", inputs: { n: 7 }, executionId });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ executionId, status: "succeeded", outputs: { out: 7 } });
  });

  it("refuses an id already taken with a 409 naming executionId, and stores nothing", async () => {
    const executionId = randomUUID();
    expect((await post(workflowId, { mode: "immediate", executionId })).status).toBe(200);
    const before = await count();
    const res = await post(workflowId, { mode: "queued", executionId });
    expect(res.status).toBe(409);
    expect(JSON.stringify(await res.json())).toContain("executionId");
    expect(await count()).toBe(before);
  });

  it("refuses an id that is not a UUID with a 4xx naming executionId", async () => {
    const before = await count();
    const res = await post(workflowId, { mode: "immediate", executionId: "my-run" });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(await res.json())).toContain("executionId");
    expect(await count()).toBe(before);
  });
});
