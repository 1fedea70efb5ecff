import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlmClient } from "@/lib/llm/client";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import { runWorkflow } from "./run-workflow";
import { createTestPorts } from "./testing/test-ports";
import { trigger, workflow } from "./testing/workflow-builder";

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ chunkDelayMs: 60 });
});
afterAll(() => server.close());

describe("llm node through the real LLM port and a local OpenAI-compatible server", () => {
  it("renders the prompt, streams partial text and returns the completion", async () => {
    const llm = createLlmClient({ apiKey: server.apiKey, baseUrl: server.url });
    const def = workflow(
      [
        trigger(),
        {
          id: "ask",
          type: "llm",
          config: {
            model: "test-model",
            system: "be brief",
            prompt: "tell me about {{ inputs.topic }} and more words here",
          },
        },
        { id: "out", type: "output", config: { value: "input.text" } },
      ],
      ["start->ask", "ask->out"],
    );
    const ports = createTestPorts({ llm });
    const outcome = await runWorkflow({ definition: def, inputs: { topic: "cats" }, ports });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.outputs.out).toBe("echo: tell me about cats and more words here");
    expect(outcome.nodes.ask?.output).toMatchObject({ model: "test-model", cached: false });
    const request = server.requests.at(-1)!;
    expect(request.messages).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "tell me about cats and more words here" },
    ]);
    const partials = ports.events.events.filter((e) => e.type === "partial");
    expect(partials.length).toBeGreaterThan(0);
    expect(partials.every((p) => p.type === "partial" && p.nodeId === "ask")).toBe(true);
  });

  it("a provider failure fails the attempt and the node's retry policy retries it", async () => {
    const llm = createLlmClient({ apiKey: server.apiKey, baseUrl: server.url });
    server.failNext({ status: 500, message: "upstream exploded" });
    const before = server.calls;
    const def = workflow(
      [
        trigger(),
        {
          id: "ask",
          type: "llm",
          config: { model: "m", prompt: "hi" },
          retry: { maxAttempts: 2, backoffMs: 5 },
        },
      ],
      ["start->ask"],
    );
    const ports = createTestPorts({ llm });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.nodes.ask?.attempts).toBe(2);
    expect(server.calls - before).toBe(2);
    const logs = ports.events.events.filter((e) => e.type === "log").map((e) => e.message);
    expect(logs.some((m) => m.startsWith("attempt 2 of 2 after 5 ms:"))).toBe(true);
  });
});
