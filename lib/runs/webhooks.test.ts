import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as incoming } from "@/app/api/webhooks/[token]/route";
import { DELETE as revokeRoute } from "@/app/api/workflows/[id]/webhooks/[triggerId]/route";
import { POST as createRoute, GET as listRoute } from "@/app/api/workflows/[id]/webhooks/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { executions, workflows } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { updateWorkflow } from "@/lib/workflow-store/service";
import { drainQueue } from "./drain";
import { insertWorkflow, waitForStatus } from "./testing/fixtures";

/** Two triggers, each with its own branch: `a` doubles `n`, `b` echoes `name`. */
const twoTriggers: WorkflowDefinition = {
  version: 1,
  name: "webhooks",
  nodes: [
    { id: "a", type: "trigger", config: {} },
    { id: "double", type: "transform", config: { expression: "inputs.n * 2" } },
    { id: "outA", type: "output", config: {} },
    { id: "b", type: "trigger", config: {} },
    { id: "hello", type: "transform", config: { expression: '"hello " & inputs.name' } },
    { id: "outB", type: "output", config: {} },
  ],
  edges: [
    { source: "a", target: "double" },
    { source: "double", target: "outA" },
    { source: "b", target: "hello" },
    { source: "hello", target: "outB" },
  ],
};

const ctx = <T>(params: T) => ({ params: Promise.resolve(params) });

const create = (workflowId: string, body: unknown) =>
  createRoute(
    new Request(`http://localhost/api/workflows/${workflowId}/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    ctx({ id: workflowId }),
  );

/** Posts to a webhook URL (`/api/webhooks/<token>?…`) as an outside caller would. */
const deliver = (url: string, body: string, headers: Record<string, string> = {}) => {
  const full = new URL(url, "http://localhost");
  const token = full.pathname.split("/").pop() ?? "";
  return incoming(
    new Request(full, { method: "POST", body, headers: { "content-type": "application/json", ...headers } }),
    ctx({ token }),
  );
};

async function counts(database: Database) {
  const [row] = await query<{ executions: number; webhooks: number; workflows: number }>(
    database.db,
    sql`select (select count(*)::int from executions) as executions, (select count(*)::int from webhooks) as webhooks,
      (select count(*)::int from workflows) as workflows`,
  );
  return row;
}

describe("incoming webhooks", () => {
  let database: Database;
  let workflowId: string;
  let urlA: string;
  beforeAll(async () => {
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    workflowId = await insertWorkflow(database.db, twoTriggers);
  });
  afterAll(async () => {
    await drainQueue(database, { budgetMs: 5000 });
    setDatabase(undefined);
    await database?.close();
  });

  it("gives a trigger one URL with a token of at least 128 bits, and lists it", async () => {
    const first = await create(workflowId, { triggerId: "a" });
    expect(first.status).toBe(201);
    const hook = await first.json();
    expect(hook).toMatchObject({ triggerId: "a", url: expect.stringMatching(/^\/api\/webhooks\/[\w-]+$/) });
    const token = hook.url.split("/").pop();
    expect(Buffer.from(token, "base64url").length * 8).toBeGreaterThanOrEqual(128);
    urlA = hook.url;

    const again = await create(workflowId, { triggerId: "a" });
    expect(again.status).toBe(200);
    expect((await again.json()).url).toBe(urlA);

    const list = await listRoute(new Request("http://localhost"), ctx({ id: workflowId }));
    expect((await list.json()).webhooks).toEqual([expect.objectContaining({ triggerId: "a", url: urlA })]);
  });

  it("runs the workflow from its trigger with the JSON body as inputs", async () => {
    const res = await deliver(`${urlA}?mode=immediate`, JSON.stringify({ n: 21 }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "succeeded", mode: "immediate", outputs: { outA: 42 } });
    expect(body.nodes).not.toHaveProperty("hello");
    const [row] = await database.db.select().from(executions).where(eq(executions.id, body.executionId));
    expect(row).toMatchObject({
      triggerId: "a",
      inputs: { n: 21 },
      tags: ["webhook"],
      requestedMode: "immediate",
    });
  });

  it("runs the other trigger's part only, from form fields, queued", async () => {
    const hook = await (await create(workflowId, { triggerId: "b" })).json();
    const res = await deliver(`${hook.url}?mode=queued`, "name=Ada&unused=1", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(202);
    const { executionId } = await res.json();
    await drainQueue(database, { budgetMs: 5000 });
    const row = await waitForStatus(database.db, executionId);
    expect(row.status).toBe("succeeded");
    expect(row.outputs).toEqual({ outB: "hello Ada" });
    expect(row.inputs).toEqual({ name: "Ada", unused: "1" });
  });

  it("starts one execution for a delivery retried with the same Idempotency-Key", async () => {
    const before = await counts(database);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        deliver(`${urlA}?mode=immediate`, JSON.stringify({ n: 1 }), { "idempotency-key": "delivery-77" }),
      ),
    );
    const ids = new Set(await Promise.all(answers.map(async (r) => (await r.json()).executionId)));
    expect(ids.size).toBe(1);
    expect((await counts(database))?.executions).toBe((before?.executions ?? 0) + 1);
  });

  it.each([
    ["an unknown token", "/api/webhooks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "{}", {}, 404, "not_found"],
    ["a malformed token", "/api/webhooks/not%20a%20token", "{}", {}, 404, "not_found"],
    ["an array body", "URL", "[1,2]", {}, 422, "invalid_request"],
    ["a string body", "URL", '"hi"', {}, 422, "invalid_request"],
    ["malformed JSON", "URL", "{", {}, 400, "invalid_json"],
    ["plain text", "URL", "hi", { "content-type": "text/plain" }, 415, "unsupported_media_type"],
    ["an unknown mode", "URL?mode=later", "{}", {}, 422, "invalid_request"],
    [
      "a NUL in a form field",
      "URL",
      "x=%00",
      { "content-type": "application/x-www-form-urlencoded" },
      422,
      "invalid_request",
    ],
    ["a body over 1 MB", "URL", JSON.stringify({ x: "y".repeat(1024 * 1024) }), {}, 413, "body_too_large"],
  ])("refuses %s with a 4xx and changes nothing", async (_label, url, body, headers, status, code) => {
    const before = await counts(database);
    const res = await deliver(url.replace("URL", urlA), body, headers);
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(code);
    expect(await counts(database)).toEqual(before);
  });

  it.each([
    ["a trigger that does not exist", { triggerId: "nope" }, "triggerId"],
    ["a node that is not a trigger", { triggerId: "double" }, "triggerId"],
    ["no trigger id", {}, "triggerId"],
    ["an extra field", { triggerId: "a", secret: 1 }, "secret"],
  ])("refuses to create a webhook for %s, naming the field", async (_label, body, path) => {
    const before = await counts(database);
    const res = await create(workflowId, body);
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.issues?.[0]?.path ?? "").toBe(path);
    expect(await counts(database)).toEqual(before);
  });

  it("answers 404 for a webhook of an unknown workflow", async () => {
    expect((await create("no-such-workflow", { triggerId: "a" })).status).toBe(404);
  });

  it("revokes: the URL answers 404 and starts nothing", async () => {
    const revoke = () =>
      revokeRoute(
        new Request("http://localhost", { method: "DELETE" }),
        ctx({ id: workflowId, triggerId: "a" }),
      );
    expect((await revoke()).status).toBe(204);
    const before = await counts(database);
    expect((await deliver(urlA, "{}")).status).toBe(404);
    expect(await counts(database)).toEqual(before);
    expect((await revoke()).status).toBe(404);
  });

  it("goes with its trigger when a save removes the trigger", async () => {
    const id = await insertWorkflow(database.db, twoTriggers);
    const hookA = await (await create(id, { triggerId: "a" })).json();
    const hookB = await (await create(id, { triggerId: "b" })).json();
    const withoutB = {
      ...twoTriggers,
      nodes: twoTriggers.nodes.filter((n) => !["b", "hello", "outB"].includes(n.id)),
      edges: twoTriggers.edges.filter((e) => e.source !== "b" && e.source !== "hello"),
    };
    await updateWorkflow(database.db, id, withoutB);
    expect((await deliver(hookB.url, "{}")).status).toBe(404);
    const list = await listRoute(new Request("http://localhost"), ctx({ id }));
    expect((await list.json()).webhooks.map((h: { url: string }) => h.url)).toEqual([hookA.url]);
  });

  it("goes with its workflow when the workflow is deleted", async () => {
    const id = await insertWorkflow(database.db, twoTriggers);
    const hook = await (await create(id, { triggerId: "a" })).json();
    await database.db.delete(workflows).where(eq(workflows.id, id));
    expect((await deliver(hook.url, "{}")).status).toBe(404);
  });
});
