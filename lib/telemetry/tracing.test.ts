import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as webhookRoute } from "@/app/api/webhooks/[token]/route";
import { POST as runRoute } from "@/app/api/workflows/[id]/run/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { drainQueue } from "@/lib/runs/drain";
import { httpChain, insertWorkflow, tinyWorkflow, waitForStatus } from "@/lib/runs/testing/fixtures";
import { type HitServer, startHitServer } from "@/lib/runs/testing/hit-server";
import { createWebhook } from "@/lib/runs/webhooks";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "@/lib/testing/otlp-receiver";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { flushTracing } from "./tracing";

const VARS = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_CAPTURE_CONTENT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "HTTP_ALLOW_PRIVATE_NETWORK",
  "IMMEDIATE_BUDGET_MS",
];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));

const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

const post = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  runRoute(
    new Request(`http://localhost/api/workflows/${id}/run`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ id }) },
  );

/** A local HTTP server that remembers the `traceparent` of each request by path. */
async function startHeaderServer(): Promise<{
  url: string;
  seen: Map<string, string>;
  close(): Promise<void>;
}> {
  const seen = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    seen.set(req.url ?? "/", String(req.headers.traceparent ?? ""));
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function llmThenHttp(echo: string, prompt: string): WorkflowDefinition {
  return {
    version: 1,
    name: "traced",
    nodes: [
      { id: "start", type: "trigger", config: {} },
      { id: "ask", type: "llm", config: { model: "gpt-4o-mini", prompt } },
      { id: "call", type: "http", config: { method: "GET", url: `${echo}/called` } },
      { id: "out", type: "output", config: {} },
    ],
    edges: [
      { source: "start", target: "ask" },
      { source: "ask", target: "call" },
      { source: "call", target: "out" },
    ],
  };
}

const byExecution = (spans: ReceivedSpan[], executionId: string) => {
  const runs = spans.filter(
    (s) => s.name === "braid.execution" && s.attributes["braid.execution.id"] === executionId,
  );
  const ids = new Set(runs.map((s) => s.spanId));
  const nodes = spans.filter((s) => s.name.startsWith("node ") && ids.has(s.parentSpanId));
  return { runs, nodes };
};

describe(`traces over OTLP/HTTP (${testDbKind})`, () => {
  let database: Database;
  let llm: OpenAiServer;
  let receiver: OtlpReceiver;
  let echo: Awaited<ReturnType<typeof startHeaderServer>>;
  let hits: HitServer;
  beforeAll(async () => {
    [llm, receiver, echo, hits] = await Promise.all([
      startOpenAiServer(),
      startOtlpReceiver(),
      startHeaderServer(),
      startHitServer(),
    ]);
    for (const v of VARS) delete process.env[v];
    process.env.OPENAI_API_KEY = llm.apiKey;
    process.env.OPENAI_BASE_URL = llm.url;
    process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    await drainQueue(database, { budgetMs: 5_000 });
    await flushTracing();
    setDatabase(undefined);
    await database?.close();
    await Promise.all([llm?.close(), receiver?.close(), echo?.close(), hits?.close()]);
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    resetEnv();
  });

  it("loads no tracing SDK when OTEL_EXPORTER_OTLP_ENDPOINT is unset, and keeps the caller's traceparent", async () => {
    const id = await insertWorkflow(database.db, llmThenHttp(echo.url, "untraced"));
    const res = await post(
      id,
      { mode: "immediate" },
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    );
    const body = await res.json();
    expect(body.status).toBe("succeeded");
    expect((globalThis as Record<symbol, unknown>)[Symbol.for("braid.otel")]).toBeUndefined();
    expect(echo.seen.get("/called")).toBe("");
    const [row] = await database.db.select().from(executions).where(eq(executions.id, body.executionId));
    expect(row?.traceContext).toBe(`00-${CALLER_TRACE}-${CALLER_SPAN}-01`);
  });

  it("exports one trace under the caller's span: execution → node attempts → LLM call, and http nodes send traceparent", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    resetEnv();
    const prompt = "Say something about traces";
    const id = await insertWorkflow(database.db, llmThenHttp(echo.url, prompt));
    const res = await post(
      id,
      { mode: "immediate" },
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    );
    const body = await res.json();
    expect(body.status).toBe("succeeded");
    await flushTracing();

    const { runs, nodes } = byExecution(receiver.spans, body.executionId);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN });
    expect(run.attributes).toMatchObject({ "braid.execution.claim": 1, "braid.execution.mode": "immediate" });
    expect(nodes.map((n) => n.attributes["braid.node.id"]).sort()).toEqual(["ask", "call", "out", "start"]);
    for (const n of nodes) {
      expect(n.traceId).toBe(CALLER_TRACE);
      expect(n.attributes).toMatchObject({ "braid.node.status": "succeeded", "braid.node.attempt": 1 });
    }
    const ask = nodes.find((n) => n.attributes["braid.node.id"] === "ask")!;
    expect(ask).toMatchObject({
      name: "node llm",
      attributes: { "braid.node.type": "llm", "braid.node.cached": false },
    });

    const chats = receiver.spans.filter((s) => s.parentSpanId === ask.spanId);
    expect(chats).toHaveLength(1);
    const chat = chats[0]!;
    const request = llm.requests.at(-1)!;
    expect(chat.name).toBe("chat gpt-4o-mini");
    expect(chat.traceId).toBe(CALLER_TRACE);
    expect(chat.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.finish_reasons": ["stop"],
      "braid.llm.cached": false,
    });
    expect(chat.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(chat.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    expect(request.messages.at(-1)?.content).toBe(prompt);
    // No content unless OTEL_CAPTURE_CONTENT=true.
    expect(JSON.stringify(chat.attributes)).not.toContain(prompt);

    const call = nodes.find((n) => n.attributes["braid.node.id"] === "call")!;
    expect(echo.seen.get("/called")).toBe(`00-${CALLER_TRACE}-${call.spanId}-01`);
  });

  it("makes a webhook request's traceparent the parent of the execution", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    resetEnv();
    const id = await insertWorkflow(database.db, tinyWorkflow("hooked"));
    const { webhook } = await createWebhook(database.db, id, { triggerId: "start" });
    const url = new URL(webhook.url, "http://localhost");
    const token = url.pathname.split("/").pop() ?? "";
    const trace = "0af7651916cd43dd8448eb211c80319c";
    const res = await webhookRoute(
      new Request(new URL(`/api/webhooks/${token}?mode=immediate`, "http://localhost"), {
        method: "POST",
        body: JSON.stringify({ n: 2 }),
        headers: { "content-type": "application/json", traceparent: `00-${trace}-b7ad6b7169203331-01` },
      }),
      { params: Promise.resolve({ token }) },
    );
    const body = await res.json();
    expect(body.status).toBe("succeeded");
    await flushTracing();
    const { runs, nodes } = byExecution(receiver.spans, body.executionId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ traceId: trace, parentSpanId: "b7ad6b7169203331" });
    expect(nodes).toHaveLength(3);
  });

  it("puts prompts and answers on LLM spans only with OTEL_CAPTURE_CONTENT=true", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_CAPTURE_CONTENT = "true";
    resetEnv();
    const prompt = `Capture this ${Date.now()}`;
    const id = await insertWorkflow(database.db, llmThenHttp(echo.url, prompt));
    const body = await (await post(id, { mode: "immediate" })).json();
    expect(body.status).toBe("succeeded");
    await flushTracing();
    delete process.env.OTEL_CAPTURE_CONTENT;
    resetEnv();
    const { nodes } = byExecution(receiver.spans, body.executionId);
    const ask = nodes.find((n) => n.attributes["braid.node.id"] === "ask")!;
    const chat = receiver.spans.find((s) => s.parentSpanId === ask.spanId)!;
    expect(JSON.parse(String(chat.attributes["gen_ai.input.messages"]))).toEqual([
      { role: "user", parts: [{ type: "text", content: prompt }] },
    ]);
    expect(String(chat.attributes["gen_ai.output.messages"])).toContain(`echo: ${prompt}`);
  });

  it("exports protobuf by default and JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json, the same spans", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    const chatUnderNode = async (prompt: string) => {
      const id = await insertWorkflow(database.db, llmThenHttp(echo.url, prompt));
      const body = await (await post(id, { mode: "immediate" })).json();
      expect(body.status).toBe("succeeded");
      await flushTracing();
      const { runs, nodes } = byExecution(receiver.spans, body.executionId);
      expect(runs).toHaveLength(1);
      expect(nodes).toHaveLength(4);
      const ask = nodes.find((n) => n.attributes["braid.node.id"] === "ask")!;
      const chat = receiver.spans.find((s) => s.parentSpanId === ask.spanId);
      expect(chat).toMatchObject({ traceId: runs[0]!.traceId, name: "chat gpt-4o-mini" });
      expect(chat?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    };
    const counts = () => ({ ...receiver.encodings });

    delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    resetEnv();
    const before = counts();
    await chatUnderNode(`protobuf ${Date.now()}`);
    const afterProto = counts();
    expect(afterProto["application/x-protobuf"] ?? 0).toBeGreaterThan(before["application/x-protobuf"] ?? 0);
    expect(afterProto["application/json"] ?? 0).toBe(before["application/json"] ?? 0);

    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = "http/json";
    resetEnv();
    await chatUnderNode(`json ${Date.now()}`);
    const afterJson = counts();
    expect(afterJson["application/json"] ?? 0).toBeGreaterThan(afterProto["application/json"] ?? 0);
    expect(afterJson["application/x-protobuf"]).toBe(afterProto["application/x-protobuf"]);
    delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    resetEnv();
  });

  it("hangs a sub-workflow's trace below the workflow node's attempt", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    resetEnv();
    const childId = await insertWorkflow(database.db, tinyWorkflow());
    const parentId = await insertWorkflow(database.db, {
      version: 1,
      name: "traced parent",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "sub", type: "workflow", config: { workflowId: childId } },
        { id: "out", type: "output", config: {} },
      ],
      edges: [
        { source: "start", target: "sub" },
        { source: "sub", target: "out" },
      ],
    });
    const body = await (await post(parentId, { mode: "immediate" })).json();
    expect(body.status).toBe("succeeded");
    await flushTracing();
    const { runs, nodes } = byExecution(receiver.spans, body.executionId);
    const sub = nodes.find((n) => n.attributes["braid.node.id"] === "sub")!;
    expect(sub).toBeDefined();
    const childRuns = receiver.spans.filter(
      (s) => s.name === "braid.execution" && s.attributes["braid.workflow.id"] === childId,
    );
    expect(childRuns).toHaveLength(1);
    expect(childRuns[0]).toMatchObject({ traceId: runs[0]!.traceId, parentSpanId: sub.spanId });
  });

  it("keeps one trace across a hand-off: the queue's runner continues the first runner's span", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.IMMEDIATE_BUDGET_MS = "400";
    resetEnv();
    const id = await insertWorkflow(database.db, httpChain(hits.url, "traced", { slowMs: 150, length: 5 }));
    const res = await post(id, { mode: "immediate" });
    expect(res.status).toBe(202);
    const { executionId, handedOff } = await res.json();
    expect(handedOff).toBe(true);
    const [queued] = await database.db.select().from(executions).where(eq(executions.id, executionId));
    expect(queued?.traceContext).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await drainQueue(database, { budgetMs: 10_000 });
    expect((await waitForStatus(database.db, executionId)).status).toBe("succeeded");
    await flushTracing();

    const { runs, nodes } = byExecution(receiver.spans, executionId);
    expect(runs).toHaveLength(2);
    const first = runs.find((r) => r.attributes["braid.execution.claim"] === 1)!;
    const second = runs.find((r) => r.attributes["braid.execution.claim"] === 2)!;
    expect(first.parentSpanId).toBe("");
    expect(queued?.traceContext).toBe(`00-${first.traceId}-${first.spanId}-01`);
    expect(second).toMatchObject({ traceId: first.traceId, parentSpanId: first.spanId });
    expect(first.attributes["braid.execution.status"]).toBe("handed_off");
    expect(second.attributes["braid.execution.status"]).toBe("succeeded");
    // Every node attempt is in the trace, under the runner that ran it; none ran twice.
    const succeeded = nodes.filter((n) => n.attributes["braid.node.status"] === "succeeded");
    expect(succeeded.map((n) => n.attributes["braid.node.id"]).sort()).toEqual([
      "h0",
      "h1",
      "h2",
      "h3",
      "h4",
      "out",
      "start",
    ]);
    expect(nodes.every((n) => n.traceId === first.traceId)).toBe(true);
    expect(succeeded.some((n) => n.parentSpanId === first.spanId)).toBe(true);
    expect(succeeded.some((n) => n.parentSpanId === second.spanId)).toBe(true);
  });
});
