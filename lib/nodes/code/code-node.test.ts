import { describe, expect, it } from "vitest";
import { runWorkflow } from "@/lib/engine/run-workflow";
import { runSingleNode } from "@/lib/engine/single-node";
import { createTestPorts } from "@/lib/engine/testing/test-ports";
import { workflow } from "@/lib/engine/testing/workflow-builder";
import { createSandboxCodeRunner } from "@/lib/sandbox/code-runner";
import { validateWorkflow } from "@/lib/workflow/validate";

const runner = createSandboxCodeRunner();
const code = (id: string, source: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "code",
  config: { source, ...extra },
});
const trigger = { id: "start", type: "trigger" };

async function run(
  source: string,
  inputs: unknown = {},
  extra: Record<string, unknown> = {},
  secrets?: Record<string, string>,
) {
  const def = workflow(
    [trigger, code("c", source, extra), { id: "out", type: "output" }],
    ["start->c", "c->out"],
  );
  const ports = createTestPorts({ code: runner });
  const outcome = await runWorkflow({ definition: def, inputs, ports, secrets });
  return { outcome, ports };
}

describe("the code node", () => {
  it("returns JSON computed from input, inputs and nodes", async () => {
    const { outcome } = await run(
      "const total = input.items.reduce((s, x) => s + x.n, 0);\nreturn { total, who: inputs.who, seen: Object.keys(nodes) };",
      { who: "ann", items: [{ n: 2 }, { n: 5 }] },
    );
    expect(outcome.status).toBe("succeeded");
    expect(outcome.outputs.out).toEqual({ total: 7, who: "ann", seen: ["start"] });
  });

  it("turns undefined into null and console lines into the node's log lines", async () => {
    const { outcome, ports } = await run(
      'console.log("hello", { a: 1 });\nconsole.warn("careful");\nreturn undefined;',
    );
    expect(outcome.outputs.out).toBeNull();
    const logs = ports.events.events.filter((e) => e.type === "log" && e.nodeId === "c");
    expect(logs).toEqual([
      expect.objectContaining({ level: "info", message: 'hello {"a":1}' }),
      expect.objectContaining({ level: "warn", message: "careful" }),
    ]);
  });

  it("fails with the message and the line of a thrown error, keeping earlier log lines", async () => {
    const { outcome, ports } = await run('console.log("before");\nconst x = 1;\nthrow new Error("boom");');
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.message).toMatch(/boom/);
    expect(outcome.error?.message).toMatch(/line 3/);
    expect(ports.events.events.some((e) => e.type === "log" && e.message === "before")).toBe(true);
  });

  it("sees no secrets, no process and no require", async () => {
    const { outcome } = await run(
      "return [typeof secrets, typeof process, typeof require, typeof fetch];",
      {},
      {},
      { TOKEN: "s3cret-value-123" },
    );
    expect(outcome.outputs.out).toEqual(["undefined", "undefined", "undefined", "undefined"]);
  });

  it("gets a fresh context on every attempt: state set by a failed attempt is gone on the retry", async () => {
    const def = workflow(
      [
        trigger,
        {
          ...code(
            "c",
            "globalThis.n = (globalThis.n || 0) + 1;\nif (globalThis.n === 1 && !input.second) throw new Error('first');\nreturn globalThis.n;",
          ),
          retry: { maxAttempts: 2, backoffMs: 1 },
        },
      ],
      ["start->c"],
    );
    const ports = createTestPorts({ code: runner });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    // Each attempt sees n === 1, so both throw: a leaked context would have made the second return 2.
    expect(outcome.status).toBe("failed");
    expect(outcome.nodes.c?.attempts).toBe(2);
  });

  it("stops an endless loop at its timeout and the process carries on", async () => {
    const { outcome } = await run("while (true) {}", {}, { timeoutMs: 100 });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.message).toMatch(/timeout|ran past/);
    const again = await run("return 1 + 1;");
    expect(again.outcome.outputs.out).toBe(2);
  });

  it("refuses a syntax error at save with its line and column", () => {
    const result = validateWorkflow({
      version: 1,
      name: "x",
      nodes: [{ id: "start", type: "trigger", config: {} }, code("c", "const a = 1;\nreturn a +;")],
      edges: [{ source: "start", target: "c" }],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues[0]).toMatchObject({ path: "nodes[1].config.source" });
      expect(result.issues[0]?.message).toMatch(/line 2, column \d+/);
    }
  });

  it("runs alone with given input (single-node play)", async () => {
    const def = workflow([trigger, code("c", "return input.a * 10;")], ["start->c"]);
    const result = await runSingleNode({
      definition: def,
      nodeId: "c",
      input: { a: 4 },
      ports: createTestPorts({ code: runner }),
    });
    expect(result).toMatchObject({ status: "succeeded", output: 40 });
  });

  it("fails clearly where no sandbox is configured", async () => {
    const def = workflow([trigger, code("c", "return 1;")], ["start->c"]);
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports: createTestPorts() });
    expect(outcome.error?.message).toMatch(/no sandbox/);
  });
});
