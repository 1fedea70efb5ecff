import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import type { EngineEvent, Journal } from "./ports";
import { runWorkflow } from "./run-workflow";
import { createMemoryJournal } from "./testing/memory-journal";
import { createTestPorts } from "./testing/test-ports";
import { delay, transform, trigger, workflow } from "./testing/workflow-builder";

describe("runWorkflow: robustness", () => {
  it("a node waiting to retry gives its slot back, so other nodes run meanwhile", async () => {
    let calls = 0;
    const def = workflow(
      [
        trigger(),
        {
          id: "flaky",
          type: "llm",
          config: { model: "m", prompt: "p" },
          retry: { maxAttempts: 2, backoffMs: 40 },
        },
        delay("a", 1),
        delay("b", 1),
      ],
      ["start->flaky", "start->a", "a->b"],
      { maxConcurrency: 1 },
    );
    const ports = createTestPorts({
      llm: {
        async complete(req) {
          calls++;
          if (calls === 1) throw new Error("rate limited");
          return {
            text: "ok",
            model: req.model,
            usage: { promptTokens: 1, completionTokens: 1 },
            cached: false,
          };
        },
      },
    });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.status).toBe("succeeded");
    const order = ports.events.nodeEvents().map((e) => `${e.nodeId}:${e.status}:${e.attempt}`);
    expect(order.indexOf("b:succeeded:1")).toBeLessThan(order.indexOf("flaky:running:2"));
    // with one slot, a and b could only run because flaky gave its slot back while waiting
    expect(order.indexOf("a:running:1")).toBeGreaterThan(order.indexOf("flaky:running:1"));
  });

  it("emits events strictly in order through a slow asynchronous sink", async () => {
    const received: EngineEvent[] = [];
    const def = workflow(
      [trigger(), transform("a", "1"), transform("b", "2"), transform("c", "input.a + input.b")],
      ["start->a", "start->b", "a->c", "b->c"],
    );
    const ports = createTestPorts({
      events: {
        async emit(event) {
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          received.push(event);
        },
      },
    });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.nodes.c?.output).toBe(3);
    expect(received[0]).toMatchObject({ type: "execution", status: "running" });
    expect(received.at(-1)).toMatchObject({ type: "execution", status: "succeeded" });
    const nodeSeq = received.flatMap((e) => (e.type === "node" ? [`${e.nodeId}:${e.status}`] : []));
    for (const id of ["start", "a", "b", "c"]) {
      expect(nodeSeq.indexOf(`${id}:running`)).toBeLessThan(nodeSeq.indexOf(`${id}:succeeded`));
    }
    expect(nodeSeq.indexOf("c:running")).toBeGreaterThan(nodeSeq.indexOf("a:succeeded"));
    expect(nodeSeq.indexOf("c:running")).toBeGreaterThan(nodeSeq.indexOf("b:succeeded"));
  });

  it("fails the run cleanly when the journal cannot save", async () => {
    const memory = createMemoryJournal();
    const journal: Journal = {
      load: () => memory.load(),
      async save(cp) {
        if (cp.nodeId === "b") throw new Error("disk full");
        await memory.save(cp);
      },
    };
    const def = workflow(
      [trigger(), transform("a", "1"), transform("b", "2"), transform("c", "3")],
      ["start->a", "a->b", "b->c"],
    );
    const ports = createTestPorts({ journal: journal as never });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatchObject({ code: "journal", message: expect.stringContaining("disk full") });
    expect(memory.checkpoints.has("c")).toBe(false);
  });

  it("fails cleanly when saving a skipped node fails behind a slow sink", async () => {
    const memory = createMemoryJournal();
    const journal: Journal = {
      load: () => memory.load(),
      async save(cp) {
        if (cp.status === "skipped") throw new Error("write refused");
        await memory.save(cp);
      },
    };
    const def = workflow(
      [
        trigger(),
        { id: "c", type: "condition", config: { expression: "true" } },
        transform("yes", "1"),
        transform("no", "2"),
      ],
      ["start->c", "c:true->yes", "c:false->no"],
    );
    const ports = createTestPorts({
      journal: journal as never,
      events: { emit: () => new Promise<void>((r) => setTimeout(r, 5)) } as never,
    });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.message).toContain("write refused");
  });

  it("spreads a skip through a 5,000-node chain without deep recursion", async () => {
    const n = 5_000;
    const nodes: WorkflowDefinition["nodes"] = [
      { id: "start", type: "trigger", config: {} },
      { id: "c", type: "condition", config: { expression: "false" } },
    ];
    const edges: WorkflowDefinition["edges"] = [
      { source: "start", target: "c" },
      { source: "c", sourceHandle: "true", target: "n0" },
    ];
    for (let i = 0; i < n; i++) {
      nodes.push({ id: `n${i}`, type: "transform", config: { expression: "1" } });
      if (i > 0) edges.push({ source: `n${i - 1}`, target: `n${i}` });
    }
    const definition: WorkflowDefinition = { version: 1, name: "long", nodes, edges };
    const ports = createTestPorts({ journal: createMemoryJournal({}, { keepHistory: false }) });
    const outcome = await runWorkflow({ definition, inputs: {}, ports });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.nodes[`n${n - 1}`]?.status).toBe("skipped");
    expect(ports.events.nodeEvents("skipped")).toHaveLength(n);
  });

  it("reports a cancel that arrives before the start without running anything", async () => {
    const controller = new AbortController();
    controller.abort();
    const ports = createTestPorts();
    const def = workflow([trigger(), transform("a", "1")], ["start->a"]);
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports, signal: controller.signal });
    expect(outcome.status).toBe("cancelled");
    expect(ports.events.nodeEvents()).toHaveLength(0);
  });
});
