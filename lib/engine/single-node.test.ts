import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "@/lib/http/client";
import { runSingleNode } from "./single-node";
import { type LocalHttpServer, sendJson, startLocalHttpServer } from "./testing/local-http-server";
import { createTestPorts } from "./testing/test-ports";
import { delay, transform, trigger, workflow } from "./testing/workflow-builder";

let server: LocalHttpServer;
const http = createHttpClient({ allowPrivateNetwork: true });
beforeAll(async () => {
  server = await startLocalHttpServer((_req, res, hit) =>
    hit < 2 ? sendJson(res, 502, {}) : sendJson(res, 200, { hit }),
  );
});
afterAll(() => server.close());

const def = () =>
  workflow(
    [
      trigger(),
      transform("a", "'A'"),
      transform("calc", "input.n * 2 & '/' & nodes.a & '/' & inputs.tag"),
      {
        id: "h",
        type: "http",
        config: { method: "GET", url: `${server.url}/x` },
        retry: { maxAttempts: 2, backoffMs: 1 },
      },
      delay("slow", 5_000),
    ],
    ["start->a", "a->calc", "start->h", "start->slow"],
  );

describe("runSingleNode", () => {
  it("runs one node with the given input, upstream outputs and inputs, emitting its events", async () => {
    const ports = createTestPorts();
    const result = await runSingleNode({
      definition: def(),
      nodeId: "calc",
      input: { n: 21 },
      inputs: { tag: "t" },
      nodes: { a: "A" },
      ports,
    });
    expect(result).toMatchObject({ status: "succeeded", output: "42/A/t", cached: false, attempts: 1 });
    expect(ports.events.nodeEvents().map((e) => e.status)).toEqual(["running", "succeeded"]);
    expect(ports.journal.saved).toHaveLength(0);
  });

  it("applies the node's retry policy", async () => {
    const ports = createTestPorts({ http });
    const result = await runSingleNode({ definition: def(), nodeId: "h", input: {}, ports });
    expect(result).toMatchObject({
      status: "succeeded",
      attempts: 2,
      output: { status: 200, body: { hit: 2 } },
    });
    expect(ports.events.events.filter((e) => e.type === "log")).toHaveLength(1);
  });

  it("reports a failure with its error", async () => {
    const result = await runSingleNode({
      definition: def(),
      nodeId: "calc",
      input: { n: "x" },
      ports: createTestPorts(),
    });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain('transform "calc" config.expression');
  });

  it("ends failed with code cancelled when its signal aborts", async () => {
    const controller = new AbortController();
    const run = runSingleNode({
      definition: def(),
      nodeId: "slow",
      input: {},
      ports: createTestPorts(),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 5);
    const result = await run;
    expect(result).toMatchObject({ status: "failed", error: { code: "cancelled" } });
  });

  it("throws for an unknown node", async () => {
    await expect(
      runSingleNode({ definition: def(), nodeId: "nope", input: {}, ports: createTestPorts() }),
    ).rejects.toThrow('no node "nope"');
  });
});
