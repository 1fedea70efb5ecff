import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailer } from "@/lib/email/mailer";
import { startLocalSmtpServer } from "@/lib/email/testing/smtp-server";
import { createHttpClient } from "@/lib/http/client";
import type { LlmClient } from "./ports";
import { runWorkflow } from "./run-workflow";
import { type LocalHttpServer, sendJson, startLocalHttpServer } from "./testing/local-http-server";
import { createTestPorts } from "./testing/test-ports";
import { delay, transform, trigger, workflow } from "./testing/workflow-builder";

let server: LocalHttpServer;
let smtp: Awaited<ReturnType<typeof startLocalSmtpServer>>;
const http = createHttpClient({ allowPrivateNetwork: true });
const requests: Array<{ method: string; url: string; headers: Record<string, unknown>; body: string }> = [];

beforeAll(async () => {
  smtp = await startLocalSmtpServer();
  server = await startLocalHttpServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: req.body });
    if (req.url?.startsWith("/text")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("just text");
      return;
    }
    if (req.url?.startsWith("/missing")) return sendJson(res, 404, { error: "not here" });
    sendJson(res, 200, { echoed: req.body ? JSON.parse(req.body) : null, url: req.url });
  });
});
afterAll(async () => {
  await server.close();
  await smtp.close();
});

const single = async (node: Record<string, unknown>, inputs: unknown = {}, portOverrides = {}) => {
  const handle = node.type === "condition" ? ":true" : "";
  const def = workflow(
    [trigger(), node as never, { id: "out", type: "output" }],
    [`start->${node.id}`, `${node.id}${handle}->out`],
  );
  const ports = createTestPorts({ http, ...portOverrides });
  const outcome = await runWorkflow({ definition: def, inputs, ports });
  return { outcome, ports, node: outcome.nodes[node.id as string]! };
};

describe("executors", () => {
  it("trigger outputs the run's inputs", async () => {
    const { outcome } = await single(transform("t", "input"), { a: 1 });
    expect(outcome.nodes.start?.output).toEqual({ a: 1 });
  });

  it("http renders templates, sends query, headers and a JSON body, and parses JSON", async () => {
    const { node } = await single(
      {
        id: "h",
        type: "http",
        config: {
          method: "POST",
          url: `${server.url}/items/{{ inputs.id }}`,
          query: { q: "{{ inputs.q }}", n: "{{ inputs.id }}" },
          headers: { "x-name": "{{ inputs.q }}" },
          body: { id: "{{ inputs.id }}", label: "item {{ inputs.id }}" },
        },
      },
      { id: 42, q: "a b" },
    );
    expect(node.status).toBe("succeeded");
    const req = requests.at(-1)!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("/items/42?q=a+b&n=42");
    expect(req.headers["x-name"]).toBe("a b");
    expect(JSON.parse(req.body)).toEqual({ id: 42, label: "item 42" });
    expect(node.output).toMatchObject({ status: 200, body: { echoed: { id: 42, label: "item 42" } } });
    expect((node.output as { headers: Record<string, string> }).headers["content-type"]).toContain(
      "application/json",
    );
  });

  it("http returns text bodies as text and fails on status >= 400 with the status in the message", async () => {
    const text = await single({
      id: "h",
      type: "http",
      config: { method: "GET", url: `${server.url}/text` },
    });
    expect(text.node.output).toMatchObject({ status: 200, body: "just text" });
    const missing = await single({
      id: "h",
      type: "http",
      config: { method: "GET", url: `${server.url}/missing` },
    });
    expect(missing.outcome.status).toBe("failed");
    expect(missing.node.error).toMatchObject({ code: "http_status" });
    expect(missing.node.error?.message).toContain("404");
  });

  it("llm renders its prompt, calls the port, streams partial events and logs its warnings", async () => {
    const llm: LlmClient = {
      async complete(req, options) {
        options?.log?.("warn", "cache unavailable");
        options?.onPartial?.("Hel");
        options?.onPartial?.("Hello"); // within 100 ms: throttled
        return {
          text: `Hello ${req.prompt}`,
          model: req.model,
          usage: { promptTokens: 3, completionTokens: 2 },
          cached: true,
        };
      },
    };
    const { node, ports } = await single(
      {
        id: "ask",
        type: "llm",
        config: { model: "m-{{ inputs.size }}", prompt: "about {{ inputs.topic }}", system: "be brief" },
      },
      { size: "small", topic: "cats" },
      { llm },
    );
    expect(node).toMatchObject({
      status: "succeeded",
      cached: true,
      output: {
        text: "Hello about cats",
        model: "m-small",
        usage: { promptTokens: 3, completionTokens: 2 },
        cached: true,
      },
    });
    const partials = ports.events.events.filter((e) => e.type === "partial");
    expect(partials).toEqual([expect.objectContaining({ nodeId: "ask", text: "Hel" })]);
    const logs = ports.events.events.filter((e) => e.type === "log").map((e) => `${e.level}:${e.message}`);
    expect(logs).toContain("warn:cache unavailable");
    expect(ports.events.nodeEvents("succeeded").find((e) => e.nodeId === "ask")?.cached).toBe(true);
  });

  it("llm passes its config (defaults: cache true, ttl 3600) to the port", async () => {
    const { ports } = await single({
      id: "ask",
      type: "llm",
      config: { model: "m", prompt: "hi", json: true },
    });
    expect(ports.llmCalls[0]).toMatchObject({
      model: "m",
      prompt: "hi",
      json: true,
      cache: true,
      cacheTtlSeconds: 3600,
    });
  });

  it("email renders and sends through the mailer to a real SMTP server", async () => {
    const { node } = await single(
      {
        id: "mail",
        type: "email",
        config: { to: "{{ inputs.to }}", subject: "Hi {{ inputs.name }}", text: "Body {{ inputs }}" },
      },
      { to: "ada@example.com", name: "Ada" },
      { mailer: createMailer(smtp.url) },
    );
    expect(node.status).toBe("succeeded");
    expect(node.output).toMatchObject({ accepted: ["ada@example.com"], messageId: expect.any(String) });
    const mail = smtp.received.at(-1)!;
    expect(mail.to).toEqual(["ada@example.com"]);
    expect(mail.raw).toContain("Subject: Hi Ada");
    expect(mail.raw).toContain('"name":"Ada"');
  });

  it("condition passes its input through unchanged", async () => {
    const { node } = await single(
      { id: "c", type: "condition", config: { expression: "input.n > 1" } },
      { n: 2 },
    );
    expect(node).toMatchObject({ status: "succeeded", output: { n: 2 } });
  });

  it("filter keeps items for which where holds", async () => {
    const { node } = await single(
      { id: "f", type: "filter", config: { items: "input.people", where: "$item.age >= 18 and $index < 3" } },
      { people: [{ age: 30 }, { age: 10 }, { age: 18 }, { age: 50 }] },
    );
    expect(node.output).toEqual({ items: [{ age: 30 }, { age: 18 }], count: 2 });
  });

  it("filter fails clearly when items is not an array", async () => {
    const { node } = await single(
      { id: "f", type: "filter", config: { items: "input.n", where: "true" } },
      { n: 1 },
    );
    expect(node.error?.message).toContain('filter "f" config.items must give an array');
  });

  it("transform outputs its expression's value", async () => {
    const { node } = await single(transform("t", '{"twice": input.n * 2}'), { n: 4 });
    expect(node.output).toEqual({ twice: 8 });
  });

  it("delay waits, then passes its input on", async () => {
    const { node } = await single(delay("d", 5), { k: "v" });
    expect(node.output).toEqual({ k: "v" });
  });

  it("merge: object mode keyed by source id, array mode in incoming edge order", async () => {
    const def = (mode: "object" | "array") =>
      workflow(
        [
          trigger(),
          delay("slowB", 15),
          transform("a", "'A'"),
          transform("b", "input & 'B'"),
          { id: "m", type: "merge", config: { mode } },
        ],
        ["start->slowB", "slowB->b", "start->a", "b->m", "a->m"],
      );
    const obj = await runWorkflow({ definition: def("object"), inputs: "", ports: createTestPorts() });
    expect(obj.nodes.m?.output).toEqual({ b: "B", a: "A" });
    const arr = await runWorkflow({ definition: def("array"), inputs: "", ports: createTestPorts() });
    expect(arr.nodes.m?.output).toEqual(["B", "A"]);
  });

  it("output: its value becomes outputs[nodeId]; default is its input", async () => {
    const def = workflow(
      [
        trigger(),
        { id: "o1", type: "output", config: { value: "inputs.x + 1" } },
        { id: "o2", type: "output" },
      ],
      ["start->o1", "start->o2"],
    );
    const outcome = await runWorkflow({ definition: def, inputs: { x: 1 }, ports: createTestPorts() });
    expect(outcome.outputs).toEqual({ o1: 2, o2: { x: 1 } });
  });
});

describe("secrets", () => {
  it("are readable in templates but redacted from checkpoints, events and outputs", async () => {
    const def = workflow(
      [
        trigger(),
        {
          id: "h",
          type: "http",
          config: {
            method: "GET",
            url: `${server.url}/secret`,
            headers: { authorization: "Bearer {{ secrets.apiKey }}" },
          },
        },
        transform("leak", "'key=' & secrets.apiKey"),
        { id: "out", type: "output", config: { value: "input" } },
      ],
      ["start->h", "h->leak", "leak->out"],
    );
    const ports = createTestPorts({ http });
    const outcome = await runWorkflow({
      definition: def,
      inputs: {},
      ports,
      secrets: { apiKey: "sk-very-secret" },
    });
    expect(requests.at(-1)?.headers.authorization).toBe("Bearer sk-very-secret");
    expect(outcome.outputs.out).toBe("key=[REDACTED]");
    const everything = JSON.stringify([
      ports.events.events,
      [...ports.journal.checkpoints.values()],
      outcome,
    ]);
    expect(everything).not.toContain("sk-very-secret");
    expect(everything).toContain("[REDACTED]");
  });
});
