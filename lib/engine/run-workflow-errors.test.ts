import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "@/lib/http/client";
import type { NodeCheckpoint } from "./ports";
import { runWorkflow } from "./run-workflow";
import { createEventRecorder } from "./testing/event-recorder";
import { type LocalHttpServer, sendJson, startLocalHttpServer } from "./testing/local-http-server";
import { createManualClock } from "./testing/manual-clock";
import { createMemoryJournal } from "./testing/memory-journal";
import { createTestPorts } from "./testing/test-ports";
import { delay, transform, trigger, workflow } from "./testing/workflow-builder";

let server: LocalHttpServer;
const http = createHttpClient({ allowPrivateNetwork: true });

beforeAll(async () => {
  server = await startLocalHttpServer(async (req, res, hit) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path.startsWith("/flaky")) {
      if (hit < 3) return sendJson(res, 503, { error: "busy" });
      return sendJson(res, 200, { ok: true, hit });
    }
    if (path.startsWith("/fail")) return sendJson(res, 500, { error: "boom" });
    if (path.startsWith("/hang")) return; // never answers
    if (path.startsWith("/slow")) {
      await new Promise((r) => setTimeout(r, 30));
      return sendJson(res, 200, { slow: true });
    }
    sendJson(res, 200, { path, hit });
  });
});
afterAll(() => server.close());

const get = (id: string, path: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "http",
  config: { method: "GET", url: `${server.url}${path}` },
  ...extra,
});

describe("runWorkflow: retries and timeouts", () => {
  it("retries with backoff until attempt 3 succeeds, while other branches progress", async () => {
    const chain = Array.from({ length: 4 }, (_, i) => delay(`c${i}`, 2));
    const def = workflow(
      [
        trigger(),
        get("flaky", "/flaky/1", { retry: { maxAttempts: 3, backoffMs: 20, backoffFactor: 2 } }),
        ...chain,
      ],
      ["start->flaky", "start->c0", "c0->c1", "c1->c2", "c2->c3"],
    );
    const ports = createTestPorts({ http });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.status).toBe("succeeded");
    expect(server.hits("/flaky/1")).toBe(3);
    expect(outcome.nodes.flaky).toMatchObject({
      status: "succeeded",
      attempts: 3,
      output: { body: { hit: 3 } },
    });
    const logs = ports.events.events.filter((e) => e.type === "log").map((e) => e.message);
    expect(logs[0]).toMatch(/^attempt 2 of 3 after 20 ms: HTTP 503/);
    expect(logs[1]).toMatch(/^attempt 3 of 3 after 40 ms: HTTP 503/);
    const order = ports.events.nodeEvents().map((e) => `${e.nodeId}:${e.status}:${e.attempt}`);
    // the chain finished while flaky was still between attempts
    expect(order.indexOf("c3:succeeded:1")).toBeLessThan(order.indexOf("flaky:running:3"));
    expect(order.filter((o) => o.startsWith("flaky:running"))).toEqual([
      "flaky:running:1",
      "flaky:running:2",
      "flaky:running:3",
    ]);
  });

  it("computes backoff as backoffMs * backoffFactor^(n-1) on the clock", async () => {
    const clock = createManualClock();
    const def = workflow(
      [
        trigger(),
        get("bad", "/fail/backoff", { retry: { maxAttempts: 3, backoffMs: 1000, backoffFactor: 3 } }),
      ],
      ["start->bad"],
    );
    const ports = createTestPorts({ http, clock });
    const run = runWorkflow({ definition: def, inputs: {}, ports });
    await clock.advance(0);
    await expect.poll(() => server.hits("/fail/backoff")).toBe(1);
    await clock.advance(999);
    expect(server.hits("/fail/backoff")).toBe(1);
    await clock.advance(1);
    await expect.poll(() => server.hits("/fail/backoff")).toBe(2);
    await clock.advance(2999);
    expect(server.hits("/fail/backoff")).toBe(2);
    await clock.advance(1);
    const outcome = await run;
    expect(server.hits("/fail/backoff")).toBe(3);
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatchObject({ nodeId: "bad", code: "http_status" });
  });

  it("aborts an attempt at node.timeoutMs and counts it as a failure", async () => {
    const def = workflow(
      [trigger(), get("hang", "/hang/1", { timeoutMs: 30, onError: "continue" })],
      ["start->hang"],
    );
    const ports = createTestPorts({ http });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.nodes.hang).toMatchObject({ status: "failed", error: { code: "timeout" } });
    expect(outcome.nodes.hang?.error?.message).toContain("timed out after 30 ms");
  });

  it("uses the http node's own config.timeoutMs as a per-attempt timeout too", async () => {
    const def = workflow(
      [
        trigger(),
        {
          id: "hang",
          type: "http",
          config: { method: "GET", url: `${server.url}/hang/2`, timeoutMs: 25 },
          retry: { maxAttempts: 2, backoffMs: 1 },
        },
      ],
      ["start->hang"],
    );
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports: createTestPorts({ http }) });
    expect(outcome.status).toBe("failed");
    expect(outcome.nodes.hang?.attempts).toBe(2);
    expect(server.hits("/hang/2")).toBe(2);
  });

  it("fails the execution with code timeout after settings.timeoutMs", async () => {
    const def = workflow(
      [trigger(), delay("long", 5_000), transform("next", "1")],
      ["start->long", "long->next"],
      {
        timeoutMs: 30,
      },
    );
    const ports = createTestPorts();
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("timeout");
    expect(outcome.nodes.long?.status).toBe("cancelled");
    expect(outcome.nodes.next).toBeUndefined();
  });

  it("counts the running time of earlier claims (elapsedMs) against settings.timeoutMs", async () => {
    const def = workflow(
      [trigger(), delay("wait", 1_000), transform("next", "1")],
      ["start->wait", "wait->next"],
      {
        timeoutMs: 2_000,
      },
    );
    const fresh = await runWorkflow({ definition: def, inputs: {}, ports: createTestPorts() });
    expect(fresh.status).toBe("succeeded");
    const resumed = await runWorkflow({
      definition: def,
      inputs: {},
      ports: createTestPorts(),
      elapsedMs: 1_990,
    });
    expect(resumed.status).toBe("failed");
    expect(resumed.error?.code).toBe("timeout");
    expect(resumed.nodes.wait?.status).toBe("cancelled");
  });
});

describe("runWorkflow: onError", () => {
  it("continue: the node fails with {error:{message}} and downstream runs", async () => {
    const def = workflow(
      [
        trigger(),
        get("bad", "/fail/c", { onError: "continue" }),
        transform("after", "input.error.message"),
        { id: "out", type: "output" },
      ],
      ["start->bad", "bad->after", "after->out"],
    );
    const ports = createTestPorts({ http });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.nodes.bad).toMatchObject({ status: "failed", error: { code: "http_status" } });
    expect(outcome.nodes.bad?.output).toEqual({ error: { message: expect.stringContaining("HTTP 500") } });
    expect(outcome.outputs.out).toContain("HTTP 500");
    expect(ports.events.nodeEvents("failed")[0]).toMatchObject({ nodeId: "bad", output: { error: {} } });
  });

  it("branch: only the error handle is live, the other handle's nodes are skipped", async () => {
    const def = workflow(
      [
        trigger(),
        get("bad", "/fail/b", { onError: "branch" }),
        transform("ok", "'ok'"),
        transform("handler", "'handled: ' & $string(input.error.message != null)"),
      ],
      ["start->bad", "bad->ok", "bad:error->handler"],
    );
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports: createTestPorts({ http }) });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.nodes.ok?.status).toBe("skipped");
    expect(outcome.nodes.handler).toMatchObject({ status: "succeeded", output: "handled: true" });
  });

  it("branch on success: the error handle's nodes are skipped", async () => {
    const def = workflow(
      [
        trigger(),
        get("good", "/ok/b", { onError: "branch" }),
        transform("ok", "input.status"),
        transform("handler", "1"),
      ],
      ["start->good", "good->ok", "good:error->handler"],
    );
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports: createTestPorts({ http }) });
    expect(outcome.nodes.ok?.output).toBe(200);
    expect(outcome.nodes.handler?.status).toBe("skipped");
  });

  it("fail: the execution fails, running nodes are cancelled and nothing new starts", async () => {
    const def = workflow(
      [
        trigger(),
        get("bad", "/fail/f"),
        delay("slow", 5_000),
        transform("after_slow", "1"),
        transform("after_bad", "1"),
      ],
      ["start->bad", "start->slow", "slow->after_slow", "bad->after_bad"],
    );
    const ports = createTestPorts({ http });
    const outcome = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatchObject({ nodeId: "bad", code: "http_status" });
    expect(outcome.nodes.slow?.status).toBe("cancelled");
    expect(outcome.nodes.after_slow).toBeUndefined();
    expect(outcome.nodes.after_bad).toBeUndefined();
    expect(ports.events.events.at(-1)).toMatchObject({
      type: "execution",
      status: "failed",
      error: { nodeId: "bad" },
    });
  });
});

describe("runWorkflow: cancel, pause, deadlines", () => {
  const fan = () =>
    workflow(
      [
        trigger(),
        delay("a", 5_000),
        delay("b", 5_000),
        transform("quick", "1"),
        delay("gate", 20),
        transform("later", "1"),
      ],
      ["start->a", "start->b", "start->quick", "start->gate", "gate->later"],
    );

  it("cancel mid-run: running nodes end cancelled and nothing new starts", async () => {
    const controller = new AbortController();
    const events = createEventRecorder((e) => {
      if (e.type === "node" && e.nodeId === "quick" && e.status === "succeeded") controller.abort();
    });
    const ports = createTestPorts({ events });
    const outcome = await runWorkflow({ definition: fan(), inputs: {}, ports, signal: controller.signal });
    expect(outcome.status).toBe("cancelled");
    expect(outcome.nodes.a?.status).toBe("cancelled");
    expect(outcome.nodes.b?.status).toBe("cancelled");
    expect(outcome.nodes.later).toBeUndefined();
    expect(
      events
        .nodeEvents("cancelled")
        .map((e) => e.nodeId)
        .sort(),
    ).toEqual(["a", "b", "gate"]);
    expect(events.events.at(-1)).toMatchObject({ type: "execution", status: "cancelled" });
  });

  it("pause: running nodes finish and checkpoint, no new node starts; resume finishes the rest", async () => {
    const pause = new AbortController();
    const def = workflow(
      [trigger(), delay("a", 30), delay("b", 1), transform("after_a", "1"), transform("after_b", "2")],
      ["start->a", "start->b", "a->after_a", "b->after_b"],
    );
    const events = createEventRecorder((e) => {
      if (e.type === "node" && e.nodeId === "a" && e.status === "running") pause.abort();
    });
    const journal = createMemoryJournal();
    const outcome = await runWorkflow({
      definition: def,
      inputs: {},
      ports: createTestPorts({ events, journal }),
      pauseSignal: pause.signal,
    });
    expect(outcome.status).toBe("paused");
    expect(outcome.nodes.a?.status).toBe("succeeded");
    expect(outcome.nodes.b?.status).toBe("succeeded");
    expect(outcome.nodes.after_a).toBeUndefined();
    expect(events.events.at(-1)).toMatchObject({ type: "execution", status: "paused" });

    const again = createTestPorts({ journal });
    const resumed = await runWorkflow({ definition: def, inputs: {}, ports: again });
    expect(resumed.status).toBe("succeeded");
    expect(again.events.startOrder().sort()).toEqual(["after_a", "after_b"]);
  });

  it("deadline: running nodes finish, no new one starts, outcome handed_off with finished nodes checkpointed", async () => {
    const clock = createManualClock();
    const def = workflow(
      [trigger(), delay("a", 100), delay("b", 100), delay("c", 100)],
      ["start->a", "a->b", "b->c"],
    );
    const journal = createMemoryJournal();
    const ports = createTestPorts({ clock, journal });
    const run = runWorkflow({ definition: def, inputs: {}, ports, deadline: clock.now() + 150 });
    await clock.advance(100); // a done
    await clock.advance(100); // b done at 200 > deadline: c does not start
    const outcome = await run;
    expect(outcome.status).toBe("handed_off");
    expect([...journal.checkpoints.values()].map((c) => `${c.nodeId}:${c.status}`)).toEqual([
      "start:succeeded",
      "a:succeeded",
      "b:succeeded",
    ]);
    expect(ports.events.events.at(-1)).toMatchObject({
      type: "execution",
      status: "queued",
      handedOff: true,
    });
  });

  it("hard deadline: still-running nodes are aborted and left pending so a resume runs them", async () => {
    const clock = createManualClock();
    const def = workflow(
      [trigger(), delay("quick", 10), delay("long", 1_000)],
      ["start->quick", "start->long"],
    );
    const journal = createMemoryJournal();
    const ports = createTestPorts({ clock, journal });
    const now = clock.now();
    const run = runWorkflow({
      definition: def,
      inputs: {},
      ports,
      deadline: now + 50,
      hardDeadline: now + 100,
    });
    await clock.advance(100);
    const outcome = await run;
    expect(outcome.status).toBe("handed_off");
    expect(outcome.nodes.quick?.status).toBe("succeeded");
    expect(outcome.nodes.long?.status).toBe("pending");

    const clock2 = createManualClock();
    const again = createTestPorts({ journal, clock: clock2 });
    const resumed = runWorkflow({ definition: def, inputs: {}, ports: again });
    await clock2.advance(1_000);
    expect((await resumed).status).toBe("succeeded");
    expect(again.events.startOrder()).toEqual(["long"]);
  });

  it("resume after a crash counts HTTP hits: succeeded nodes never run again", async () => {
    const def = workflow(
      [trigger(), get("h1", "/resume/1"), get("h2", "/resume/2"), get("h3", "/resume/3")],
      ["start->h1", "h1->h2", "h2->h3"],
    );
    const first = createTestPorts({ http });
    await runWorkflow({ definition: def, inputs: {}, ports: first });
    const saved = Object.fromEntries(first.journal.checkpoints) as Record<string, NodeCheckpoint>;
    // simulate a crash while h3 was running
    saved.h3 = { nodeId: "h3", status: "running", attempts: 1 };
    const journal = createMemoryJournal(saved);
    const outcome = await runWorkflow({
      definition: def,
      inputs: {},
      ports: createTestPorts({ http, journal }),
    });
    expect(outcome.status).toBe("succeeded");
    expect([server.hits("/resume/1"), server.hits("/resume/2"), server.hits("/resume/3")]).toEqual([1, 1, 2]);
  });

  it("restores failed nodes under onError continue without running them again", async () => {
    const def = workflow(
      [
        trigger(),
        get("bad", "/fail/restore", { onError: "continue" }),
        transform("after", "input.error.message"),
      ],
      ["start->bad", "bad->after"],
    );
    const journal = createMemoryJournal({
      start: { nodeId: "start", status: "succeeded", attempts: 1, output: {} },
      bad: {
        nodeId: "bad",
        status: "failed",
        attempts: 1,
        output: { error: { message: "earlier" } },
        error: { message: "earlier" },
      },
    });
    const outcome = await runWorkflow({
      definition: def,
      inputs: {},
      ports: createTestPorts({ http, journal }),
    });
    expect(server.hits("/fail/restore")).toBe(0);
    expect(outcome.nodes.after?.output).toBe("earlier");
  });

  it("runs a condition again when its checkpoint lost the handle (it is pure), then routes by it", async () => {
    const def = workflow(
      [
        trigger(),
        { id: "c", type: "condition", config: { expression: "inputs.go" } },
        transform("yes", "1"),
        transform("no", "2"),
      ],
      ["start->c", "c:true->yes", "c:false->no"],
    );
    const journal = createMemoryJournal({
      start: { nodeId: "start", status: "succeeded", attempts: 1, output: { go: false } },
      c: { nodeId: "c", status: "succeeded", attempts: 1, output: { go: false } },
    });
    const ports = createTestPorts({ journal });
    const outcome = await runWorkflow({ definition: def, inputs: { go: false }, ports });
    expect(ports.events.startOrder()).toEqual(["c", "no"]);
    expect(outcome.nodes.c?.handle).toBe("false");
    expect(outcome.nodes.yes?.status).toBe("skipped");
  });
});
