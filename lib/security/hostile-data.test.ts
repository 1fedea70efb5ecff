import { eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as incoming } from "@/app/api/webhooks/[token]/route";
import { POST as runNodeRoute } from "@/app/api/workflows/[id]/nodes/[nodeId]/run/route";
import { PUT as putWorkflow } from "@/app/api/workflows/[id]/route";
import { POST as runRoute } from "@/app/api/workflows/[id]/run/route";
import { POST as createWebhookRoute } from "@/app/api/workflows/[id]/webhooks/route";
import { POST as createWorkflowRoute } from "@/app/api/workflows/route";
import { jsonDepthOver, MAX_JSON_DEPTH } from "@/lib/api/errors";
import { type Database, setDatabase } from "@/lib/db/client";
import { executions, nodeRuns, workflows } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { insertWorkflow } from "@/lib/runs/testing/fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { proxy } from "@/proxy";

const definition: WorkflowDefinition = {
  version: 1,
  name: "hostile",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "echo", type: "transform", config: { expression: "inputs" } },
    { id: "out", type: "output", config: {} },
  ],
  edges: [
    { source: "start", target: "echo" },
    { source: "echo", target: "out" },
  ],
};

/** `[[[…0…]]]` nested `depth` deep. */
const nested = (depth: number) => `${"[".repeat(depth)}0${"]".repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}0${"}".repeat(depth)}`;

const ctx = <T>(params: T) => ({ params: Promise.resolve(params) });
const post = (url: string, body: string, method = "POST", headers: Record<string, string> = {}) =>
  new Request(`http://localhost${url}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body,
  });

describe("jsonDepthOver", () => {
  it.each([
    ["flat", "[1,2,3]", 1, false],
    ["at the limit", nested(3), 3, false],
    ["one past", nested(4), 3, true],
    ["objects", deepObject(5), 4, true],
    ["brackets inside strings do not count", JSON.stringify({ s: "[[[[[[[[[[" }), 2, false],
    ["escaped quotes inside strings", JSON.stringify({ s: 'a\\"[[[[[["' }), 2, false],
    ["siblings do not add up", "[[0],[0],[0],[0]]", 2, false],
  ] as const)("%s", (_name, text, max, over) => {
    expect(jsonDepthOver(text, max)).toBe(over);
  });
});

describe("hostile bodies and headers", () => {
  let database: Database;
  let workflowId: string;
  let token: string;
  beforeAll(async () => {
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    workflowId = await insertWorkflow(database.db, definition);
    const hook = await createWebhookRoute(
      post(`/api/workflows/${workflowId}/webhooks`, JSON.stringify({ triggerId: "start" })),
      ctx({ id: workflowId }),
    );
    token = ((await hook.json()) as { url: string }).url.split("/").pop() ?? "";
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database?.close();
  });

  const counts = async () => ({
    workflows: (await database.db.select().from(workflows)).length,
    executions: (await database.db.select().from(executions)).length,
    nodeRuns: (await database.db.select().from(nodeRuns)).length,
  });

  const deep = JSON.stringify({ ...definition, name: "deep" }).replace(
    '"config":{}',
    `"config":{"x":${nested(5000)}}`,
  );
  const routes: Array<[string, () => Promise<Response>]> = [
    ["a definition (create)", () => createWorkflowRoute(post("/api/workflows", deep), undefined)],
    [
      "a definition (update)",
      () => putWorkflow(post(`/api/workflows/${workflowId}`, deep, "PUT"), ctx({ id: workflowId })),
    ],
    [
      "run inputs",
      () =>
        runRoute(
          post(`/api/workflows/${workflowId}/run`, `{"mode":"immediate","inputs":{"x":${deepObject(5000)}}}`),
          ctx({ id: workflowId }),
        ),
    ],
    [
      "a single node's input",
      () =>
        runNodeRoute(
          post(`/api/workflows/${workflowId}/nodes/echo/run`, `{"input":${nested(5000)}}`),
          ctx({ id: workflowId, nodeId: "echo" }),
        ),
    ],
    [
      "a webhook body",
      () => incoming(post(`/api/webhooks/${token}`, `{"x":${nested(5000)}}`), ctx({ token })),
    ],
  ];

  it.each(routes)(
    "refuses JSON nested 5,000 deep in %s with 422 naming the limit, storing nothing",
    async (_name, send) => {
      const before = await counts();
      const res = await send();
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("too_deep");
      expect(body.error.message).toContain(String(MAX_JSON_DEPTH));
      expect(await counts()).toEqual(before);
      const running = (await database.db.select().from(executions)).filter((e) => e.status === "running");
      expect(running).toEqual([]);
    },
  );

  it("accepts nesting up to the limit", async () => {
    const res = await runNodeRoute(
      post(`/api/workflows/${workflowId}/nodes/echo/run`, `{"input":${nested(MAX_JSON_DEPTH - 1)}}`),
      ctx({ id: workflowId, nodeId: "echo" }),
    );
    expect(res.status).toBe(200);
  });

  it.each([
    ["9".repeat(400), 400],
    ["99999999999", 400],
    ["2147483648", 400],
    ["0", 400],
    ["-1", 400],
    ["abc", 400],
    ['"1"', 200],
    ['W/"1"', 200],
    ["*", 200],
  ])("If-Match: %s → %i", async (ifMatch, status) => {
    const fresh = await insertWorkflow(database.db, definition);
    const res = await putWorkflow(
      post(`/api/workflows/${fresh}`, JSON.stringify(definition), "PUT", { "if-match": ifMatch }),
      ctx({ id: fresh }),
    );
    expect(res.status).toBe(status);
    if (status === 400) {
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^if-match:/);
      const [row] = await database.db.select().from(workflows).where(eq(workflows.id, fresh));
      expect(row?.version).toBe(1);
    }
  });
});

describe("malformed percent-encoding in a path", () => {
  it.each(["/api/workflows/%ff%fe", "/api/executions/%c0/events", "/workflows/%e0%a4"])(
    "%s → 400 JSON",
    async (path) => {
      const res = await proxy(new NextRequest(`http://localhost${path}`, { method: "GET" }));
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^path:/);
    },
  );

  it("lets well-formed UTF-8 through", async () => {
    const res = await proxy(
      new NextRequest("http://localhost/api/workflows/%C3%A9t%C3%A9", { method: "GET" }),
    );
    expect(res.headers.get("x-middleware-next")).toBe("1");
  });
});
