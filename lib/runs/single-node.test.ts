import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as detailRoute } from "@/app/api/executions/[id]/route";
import { POST as shareRoute, DELETE as unshareRoute } from "@/app/api/executions/[id]/share/route";
import { GET as historyRoute } from "@/app/api/workflows/[id]/executions/route";
import { POST as nodeRunRoute } from "@/app/api/workflows/[id]/nodes/[nodeId]/run/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { getExecutionByShareToken } from "./shares";
import { startRun } from "./start-run";
import { insertWorkflow } from "./testing/fixtures";

const definition: WorkflowDefinition = {
  version: 1,
  name: "single",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "double", type: "transform", config: { expression: "inputs.n * 2" } },
    { id: "add1", type: "transform", config: { expression: "input + 1" } },
    { id: "left", type: "transform", config: { expression: "1" } },
    { id: "both", type: "merge", config: {} },
    { id: "out", type: "output", config: {} },
  ],
  edges: [
    { source: "start", target: "double" },
    { source: "double", target: "add1" },
    { source: "start", target: "left" },
    { source: "add1", target: "both" },
    { source: "left", target: "both" },
    { source: "both", target: "out" },
  ],
};

const runNode = async (workflowId: string, nodeId: string, body?: unknown) => {
  const res = await nodeRunRoute(
    new Request(`http://localhost/api/workflows/${workflowId}/nodes/${nodeId}/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { params: Promise.resolve({ id: workflowId, nodeId }) },
  );
  return { status: res.status, body: await res.json() };
};
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

async function counts(database: Database) {
  const [row] = await query<{ e: number; n: number }>(
    database.db,
    sql`select (select count(*)::int from executions) as e, (select count(*)::int from node_runs) as n`,
  );
  return row;
}

describe("single-node runs, history, shares", () => {
  let database: Database;
  let workflowId: string;
  beforeAll(async () => {
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    workflowId = await insertWorkflow(database.db, definition);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database?.close();
  });

  it("refuses a never-run node without input (422 that says so) and stores nothing", async () => {
    const before = await counts(database);
    const res = await runNode(workflowId, "add1");
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("no_input");
    expect(res.body.error.message).toMatch(/never ran/);
    expect(await counts(database)).toEqual(before);
  });

  it.each([
    ["unknown node", "ghost", {}, 404],
    ["unknown field", "add1", { input: 1, extra: true }, 422],
    ["inputs not an object", "add1", { input: 1, inputs: 3 }, 422],
  ])("refuses %s and stores nothing", async (_what, nodeId, body, status) => {
    const before = await counts(database);
    expect((await runNode(workflowId, nodeId, body)).status).toBe(status);
    expect(await counts(database)).toEqual(before);
  });

  it("runs a node with the given input and records it as an execution", async () => {
    const res = await runNode(workflowId, "add1", { input: 5 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      nodeId: "add1",
      status: "succeeded",
      output: 6,
      error: null,
      cached: false,
    });
    expect(typeof res.body.durationMs).toBe("number");
    const detail = await (await detailRoute(new Request("http://x"), ctx(res.body.executionId))).json();
    expect(detail).toMatchObject({
      status: "succeeded",
      mode: "immediate",
      nodeId: "add1",
      progress: { finished: 1, total: 1 },
    });
    expect(detail.nodes.add1).toMatchObject({ status: "succeeded", output: 6, input: 5 });
  });

  it("uses the upstream outputs of the latest execution by default", async () => {
    const run = await startRun(database, workflowId, { mode: "immediate", inputs: { n: 10 } });
    expect(run.body.status).toBe("succeeded");
    const one = await runNode(workflowId, "add1", {});
    expect(one.body).toMatchObject({ status: "succeeded", output: 21 });
    // Several upstream nodes: an object keyed by id, the single-node run of add1 being the latest.
    const merged = await runNode(workflowId, "both");
    expect(merged.body.output).toEqual({ add1: 22 - 1, left: 1 });
    const failed = await runNode(workflowId, "double", { input: 1, inputs: { n: "x" } });
    expect(failed.status).toBe(200);
    expect(failed.body.status).toBe("failed");
    expect(failed.body.error.message).toBeTruthy();
  });

  it("lists history newest first, single-node runs included, and 404s an unknown workflow", async () => {
    const res = await historyRoute(
      new Request(`http://x/api/workflows/${workflowId}/executions`),
      ctx(workflowId),
    );
    const { executions } = await res.json();
    expect(executions.length).toBe(5);
    expect(executions[0]).toMatchObject({ nodeId: "double", status: "failed", mode: "immediate" });
    expect(executions.map((e: { nodeId?: string }) => e.nodeId ?? null)).toEqual([
      "double",
      "both",
      "add1",
      null,
      "add1",
    ]);
    for (const e of executions)
      expect(Object.keys(e)).toEqual(
        expect.arrayContaining(["id", "status", "mode", "startedAt", "finishedAt", "durationMs", "tags"]),
      );
    const page = await (
      await historyRoute(
        new Request(`http://x/api/workflows/${workflowId}/executions?limit=2&before=${executions[1].id}`),
        ctx(workflowId),
      )
    ).json();
    expect(page.executions.map((e: { id: string }) => e.id)).toEqual([executions[2].id, executions[3].id]);
    expect((await historyRoute(new Request("http://x"), ctx("nope"))).status).toBe(404);
    expect((await historyRoute(new Request(`http://x/?limit=zero`), ctx(workflowId))).status).toBe(422);
    expect((await detailRoute(new Request("http://x"), ctx("nope"))).status).toBe(404);
  });

  it("shares with a 128-bit+ token, resolves it, and revokes it", async () => {
    const run = await startRun(database, workflowId, { mode: "immediate", inputs: { n: 1 } });
    const id = run.body.executionId;
    const res = await shareRoute(new Request("http://x", { method: "POST" }), ctx(id));
    const { url } = await res.json();
    const token = /^\/share\/([A-Za-z0-9_-]+)$/.exec(url)?.[1];
    expect(token).toBeDefined();
    expect(Buffer.from(token!, "base64url").length).toBeGreaterThanOrEqual(16);
    expect((await (await shareRoute(new Request("http://x", { method: "POST" }), ctx(id))).json()).url).toBe(
      url,
    );
    expect((await getExecutionByShareToken(database.db, token!))?.id).toBe(id);
    const altered = `${token!.slice(0, -1)}${token!.endsWith("A") ? "B" : "A"}`;
    expect(await getExecutionByShareToken(database.db, altered)).toBeUndefined();
    expect((await unshareRoute(new Request("http://x", { method: "DELETE" }), ctx(id))).status).toBe(204);
    expect(await getExecutionByShareToken(database.db, token!)).toBeUndefined();
    expect((await shareRoute(new Request("http://x", { method: "POST" }), ctx("nope"))).status).toBe(404);
  });
});
