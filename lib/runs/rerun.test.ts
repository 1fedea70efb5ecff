import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as rerunRoute } from "@/app/api/executions/[id]/rerun/route";
import { GET as executionRoute } from "@/app/api/executions/[id]/route";
import { POST as runRoute } from "@/app/api/workflows/[id]/run/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { executionEvents, workflowVersions } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { createWorkflow, updateWorkflow } from "@/lib/workflow-store/service";
import { drainQueue } from "./drain";
import { httpChain, waitForStatus } from "./testing/fixtures";
import { type HitServer, startHitServer } from "./testing/hit-server";

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (url: string, body: unknown) =>
  new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

let database: Database;
let server: HitServer;
let openai: OpenAiServer;

beforeAll(async () => {
  process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
  database = await createTestDatabase();
  setDatabase(database);
  server = await startHitServer();
  openai = await startOpenAiServer();
  process.env.OPENAI_BASE_URL = openai.url;
  process.env.OPENAI_API_KEY = openai.apiKey;
  resetEnv();
});
afterAll(async () => {
  await drainQueue(database, { budgetMs: 5000 });
  delete process.env.OPENAI_BASE_URL;
  delete process.env.OPENAI_API_KEY;
  resetEnv();
  setDatabase(undefined);
  await Promise.all([server?.close(), openai?.close()]);
  await database?.close();
});

/** Runs a stored workflow immediately and returns the finished execution's id. */
async function runNow(workflowId: string): Promise<string> {
  const res = await runRoute(
    post("http://x/run", { mode: "immediate", inputs: { topic: "tides" } }),
    ctx(workflowId),
  );
  const body = await res.json();
  expect(body.status).toBe("succeeded");
  return body.executionId;
}

async function rerun(id: string, body: unknown) {
  const res = await rerunRoute(post(`http://x/api/executions/${id}/rerun`, body), ctx(id));
  return { status: res.status, body: await res.json() };
}

async function detail(id: string) {
  return (await executionRoute(new Request(`http://x/api/executions/${id}`), ctx(id))).json();
}

const counts = async () =>
  (
    await query<{ executions: number; node_runs: number }>(
      database.db,
      sql`select (select count(*)::int from executions) as executions, (select count(*)::int from node_runs) as node_runs`,
    )
  )[0];

describe("rerun from a node", () => {
  it("reuses everything upstream (the HTTP server sees no second call) and runs the node and its downstream", async () => {
    const tag = "mid";
    const wf = await createWorkflow(database.db, httpChain(server.url, tag, { length: 3 }));
    const sourceId = await runNow(wf.id);
    expect([0, 1, 2].map((i) => server.count(`/${tag}/h${i}`))).toEqual([1, 1, 1]);

    const { status, body } = await rerun(sourceId, { fromNodeId: "h1" });
    expect(status).toBe(202);
    expect(body).toMatchObject({
      sourceExecutionId: sourceId,
      status: "queued",
      workflowVersion: 1,
      reused: ["start", "h0"],
      rerun: ["h1", "h2", "out"],
    });
    await waitForStatus(database.db, body.executionId);
    expect([0, 1, 2].map((i) => server.count(`/${tag}/h${i}`))).toEqual([1, 2, 2]);

    const after = await detail(body.executionId);
    expect(after).toMatchObject({ status: "succeeded", sourceExecutionId: sourceId, workflowVersion: 1 });
    expect(after.nodes.h0).toMatchObject({ status: "succeeded", reused: true });
    expect(after.nodes.start.reused).toBe(true);
    expect(after.nodes.h1.reused).toBeUndefined();
    expect(after.nodes.h1.output.body.n).toBe(2);
    // The reused output is the source's, byte for byte.
    const source = await detail(sourceId);
    expect(after.nodes.h0.output).toEqual(source.nodes.h0.output);
    expect(source.sourceExecutionId).toBeUndefined();

    // Live clients learn about reused nodes from the events too.
    const events = await database.db
      .select({ payload: executionEvents.payload })
      .from(executionEvents)
      .where(eq(executionEvents.executionId, body.executionId));
    const reusedEvents = events
      .map((e) => e.payload as { nodeId?: string; reused?: boolean })
      .filter((p) => p.reused)
      .map((p) => p.nodeId);
    expect(reusedEvents.sort()).toEqual(["h0", "start"]);
  });

  it("LLM nodes that run again with unchanged prompts make zero provider calls", async () => {
    const def: WorkflowDefinition = {
      version: 1,
      name: "llm chain",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        {
          id: "draft",
          type: "llm",
          config: { model: "gpt-test", prompt: "Draft about {{ inputs.topic }} rerun" },
        },
        {
          id: "polish",
          type: "llm",
          config: { model: "gpt-test", prompt: "Polish: {{ nodes.draft.text }}" },
        },
        { id: "out", type: "output", config: { value: "nodes.polish.text" } },
      ],
      edges: [
        { source: "start", target: "draft" },
        { source: "draft", target: "polish" },
        { source: "polish", target: "out" },
      ],
    };
    const wf = await createWorkflow(database.db, def);
    const before = openai.calls;
    const sourceId = await runNow(wf.id);
    expect(openai.calls - before).toBe(2);

    const { status, body } = await rerun(sourceId, { fromNodeId: "polish" });
    expect(status).toBe(202);
    const done = await waitForStatus(database.db, body.executionId);
    expect(done.status).toBe("succeeded");
    expect(openai.calls - before).toBe(2);
    const after = await detail(body.executionId);
    expect(after.nodes.draft).toMatchObject({ reused: true });
    expect(after.nodes.polish).toMatchObject({ status: "succeeded", cached: true });
    expect(after.nodes.polish.reused).toBeUndefined();
  });

  it("original runs the source's definition; latest runs the saved one, and a changed config runs", async () => {
    const tag = "ver";
    const wf = await createWorkflow(database.db, httpChain(server.url, tag, { length: 3 }));
    const sourceId = await runNow(wf.id);
    const edited = httpChain(server.url, `${tag}2`, { length: 3 });
    // Only h0's URL differs between the two; h0 is upstream of h2.
    const next = {
      ...edited,
      nodes: edited.nodes.map((n) =>
        n.id === "h0" ? n : httpChain(server.url, tag, { length: 3 }).nodes.find((m) => m.id === n.id)!,
      ),
    };
    await updateWorkflow(database.db, wf.id, next);

    const original = await rerun(sourceId, { fromNodeId: "h2", version: "original" });
    expect(original.body).toMatchObject({ workflowVersion: 1, reused: ["start", "h0", "h1"] });
    await waitForStatus(database.db, original.body.executionId);
    expect(server.count(`/${tag}2/h0`)).toBe(0);

    const latest = await rerun(sourceId, { fromNodeId: "h2", version: "latest" });
    expect(latest.status).toBe(202);
    expect(latest.body).toMatchObject({
      workflowVersion: 2,
      reused: ["start"],
      rerun: ["h0", "h1", "h2", "out"],
    });
    await waitForStatus(database.db, latest.body.executionId);
    expect(server.count(`/${tag}2/h0`)).toBe(1);
    expect(server.count(`/${tag}/h2`)).toBe(3);
    expect((await detail(latest.body.executionId)).workflowVersion).toBe(2);
  });

  it("latest: a node that is gone or changed type upstream is listed, nothing is created", async () => {
    const wf = await createWorkflow(database.db, httpChain(server.url, "gone", { length: 3 }));
    const sourceId = await runNow(wf.id);
    const def = httpChain(server.url, "gone", { length: 3 });
    await updateWorkflow(database.db, wf.id, {
      ...def,
      nodes: def.nodes.map((n) =>
        n.id === "h0" ? { id: "h0", type: "transform", config: { expression: "1" } } : n,
      ),
    });
    const before = await counts();
    const { status, body } = await rerun(sourceId, { fromNodeId: "h2", version: "latest" });
    expect(status).toBe(422);
    expect(body.error.issues).toEqual([expect.objectContaining({ path: "nodes.h0", code: "type_changed" })]);
    expect(await counts()).toEqual(before);
  });

  it("an execution records the version it ran, and that version reads back as what ran", async () => {
    const wf = await createWorkflow(database.db, httpChain(server.url, "pin", { length: 1 }));
    await updateWorkflow(database.db, wf.id, httpChain(server.url, "pin2", { length: 1 }));
    const id = await runNow(wf.id);
    await updateWorkflow(database.db, wf.id, httpChain(server.url, "pin3", { length: 1 }));
    const ran = await detail(id);
    expect(ran.workflowVersion).toBe(2);
    const [version] = await database.db
      .select()
      .from(workflowVersions)
      .where(sql`${workflowVersions.workflowId} = ${wf.id} and ${workflowVersions.version} = 2`);
    expect(version?.definition).toEqual(ran.definition);
  });

  describe("bad input gets a 4xx naming the field and creates nothing", () => {
    let sourceId: string;
    beforeAll(async () => {
      const wf = await createWorkflow(database.db, httpChain(server.url, "bad", { length: 1 }));
      sourceId = await runNow(wf.id);
    });
    it.each([
      ["an unknown fromNodeId", { fromNodeId: "ghost" }, 422, "fromNodeId"],
      ["no fromNodeId", {}, 422, "fromNodeId"],
      ["an empty fromNodeId", { fromNodeId: "" }, 422, "fromNodeId"],
      ["an unknown version", { fromNodeId: "h0", version: "v7" }, 422, "version"],
      ["a numeric version", { fromNodeId: "h0", version: 3 }, 422, "version"],
      ["an unknown field", { fromNodeId: "h0", mode: "x" }, 422, "mode"],
      ["malformed JSON", "{nope", 400, undefined],
    ])("%s", async (_, body, status, field) => {
      const before = await counts();
      const res = await rerun(sourceId, body);
      expect(res.status).toBe(status);
      if (field !== undefined)
        expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
      expect(await counts()).toEqual(before);
    });
    it("an unknown execution → 404", async () => {
      const before = await counts();
      expect((await rerun("nope", { fromNodeId: "h0" })).status).toBe(404);
      expect(await counts()).toEqual(before);
    });
  });
});
