import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "@/lib/engine/clock";
import type { NodeCheckpoint, NodeEvent } from "@/lib/engine/ports";
import { runWorkflow } from "@/lib/engine/run-workflow";
import { type LocalHttpServer, sendJson, startLocalHttpServer } from "@/lib/engine/testing/local-http-server";
import { createMemoryJournal } from "@/lib/engine/testing/memory-journal";
import { createTestPorts } from "@/lib/engine/testing/test-ports";
import { transform, trigger, workflow } from "@/lib/engine/testing/workflow-builder";
import { createHttpClient } from "@/lib/http/client";
import { createSandboxCodeRunner } from "@/lib/sandbox/code-runner";
import { validateWorkflow } from "@/lib/workflow/validate";
import type { LoopOutput } from "./loop-node";

const http = createHttpClient({ allowPrivateNetwork: true });

let server: LocalHttpServer;
/** Item values the server saw, in arrival order; requests in flight now and at most. */
const seen: unknown[] = [];
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = await startLocalHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const v = url.searchParams.get("v");
    seen.push(v);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const wait = Number(url.searchParams.get("ms") ?? 0);
    if (wait) await new Promise((r) => setTimeout(r, wait));
    inFlight--;
    if (url.pathname === "/fail" && url.searchParams.get("bad") === v)
      sendJson(res, 500, { error: "bad item" });
    else sendJson(res, 200, { echo: v });
  });
});
afterAll(() => server.close());

const resetServer = () => {
  seen.length = 0;
  inFlight = 0;
  maxInFlight = 0;
};

const loop = (id: string, items: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "loop",
  config: { items, ...((extra.config as object) ?? {}) },
  ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "config")),
});
const httpGet = (id: string, path: string, parentId: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "http",
  parentId,
  config: { method: "GET", url: `${server.url}${path}` },
  ...extra,
});

const loopOutput = (outcome: { nodes: Record<string, NodeCheckpoint> }, id: string) =>
  outcome.nodes[id]?.output as LoopOutput;

describe("loop: running the body per item", () => {
  it("runs a body of several node types per item, in item order, with $item, $index and outer nodes", async () => {
    resetServer();
    const def = workflow(
      [
        trigger(),
        transform("prefix", '"item-"'),
        loop("each", "inputs.list", { config: { concurrency: 3 } }),
        { ...httpGet("fetch", "/echo?v={{ $item }}&ms=5", "each") },
        {
          id: "code",
          type: "code",
          parentId: "each",
          config: { source: "return { v: input.body.echo, i: index, item };" },
        },
        transform("label", 'nodes.prefix & $string($item) & "#" & $string($index)', { parentId: "each" }),
        transform("join", "{ 'code': input.code, 'label': input.label }", { parentId: "each" }),
        { id: "out", type: "output", config: { value: "input.results" } },
      ],
      [
        "start->prefix",
        "prefix->each",
        "fetch->code",
        "fetch->label",
        "code->join",
        "label->join",
        "each->out",
      ],
    );
    const ports = createTestPorts({ http, code: createSandboxCodeRunner() });
    const outcome = await runWorkflow({
      definition: def,
      inputs: { list: ["a", "b", "c", "d", "e"] },
      ports,
    });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.outputs.out).toEqual(
      ["a", "b", "c", "d", "e"].map((v, i) => ({ code: { v, i, item: v }, label: `item-${v}#${i}` })),
    );
    expect(loopOutput(outcome, "each")).toMatchObject({ count: 5, errors: [] });
    expect(seen.sort()).toEqual(["a", "b", "c", "d", "e"]);
    // Body checkpoints are per item; body events carry `iteration`; the loop's carry progress.
    expect(ports.journal.checkpoints.get("fetch#3")?.status).toBe("succeeded");
    expect(ports.journal.checkpoints.get("join#4")?.output).toEqual({
      code: { v: "e", i: 4, item: "e" },
      label: "item-e#4",
    });
    const bodyEvents = ports.events.nodeEvents().filter((e) => e.nodeId === "fetch");
    expect(bodyEvents.map((e) => e.iteration?.[0]).sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    const last = ports.events
      .nodeEvents()
      .filter((e) => e.nodeId === "each")
      .at(-1) as NodeEvent;
    expect(last.status).toBe("succeeded");
    expect(last.progress).toEqual({ done: 5, failed: 0, total: 5 });
    // The top-level progress counts top-level nodes only.
    expect(outcome.nodes.fetch).toBeUndefined();
  });

  it("never has more items in flight than its concurrency", async () => {
    for (const cap of [1, 3]) {
      resetServer();
      const def = workflow(
        [
          trigger(),
          loop("each", "[1..9]", { config: { concurrency: cap } }),
          httpGet("h", "/echo?v={{ $item }}&ms=15", "each"),
        ],
        ["start->each"],
      );
      const outcome = await runWorkflow({ definition: def, inputs: {}, ports: createTestPorts({ http }) });
      expect(outcome.status).toBe("succeeded");
      expect(maxInFlight).toBe(cap);
      expect(seen).toHaveLength(9);
    }
  });

  it("runs nested loops with an iteration path per level", async () => {
    const def = workflow(
      [
        trigger(),
        loop("rows", "inputs.rows"),
        loop("cells", "$item", { parentId: "rows" }),
        transform("double", "$item * 2 + $index / 10", { parentId: "cells" }),
        transform("sum", "$sum(input.results)", { parentId: "rows" }),
      ],
      ["start->rows", "cells->sum"],
    );
    const ports = createTestPorts();
    const outcome = await runWorkflow({ definition: def, inputs: { rows: [[1, 2], [3], []] }, ports });
    expect(outcome.status).toBe("succeeded");
    expect(loopOutput(outcome, "rows").results).toEqual([6.1, 6, 0]);
    expect(ports.journal.checkpoints.get("double#0.1")?.output).toBe(4.1);
    expect(ports.journal.checkpoints.get("cells#2")?.output).toEqual({ results: [], errors: [], count: 0 });
    const paths = ports.events
      .nodeEvents("succeeded")
      .filter((e) => e.nodeId === "double")
      .map((e) => e.iteration?.join("."))
      .sort();
    expect(paths).toEqual(["0.0", "0.1", "1.0"]);
  });

  it("skips inside the body as outside: a condition's untaken branch is skipped per item", async () => {
    const def = workflow(
      [
        trigger(),
        loop("each", "inputs.n"),
        { id: "big", type: "condition", parentId: "each", config: { expression: "$item > 2" } },
        transform("yes", '"big"', { parentId: "each" }),
        transform("no", '"small"', { parentId: "each" }),
        { id: "merge", type: "merge", parentId: "each", config: {} },
      ],
      ["start->each", "big:true->yes", "big:false->no", "yes->merge", "no->merge"],
    );
    const ports = createTestPorts();
    const outcome = await runWorkflow({ definition: def, inputs: { n: [1, 5] }, ports });
    expect(outcome.status).toBe("succeeded");
    expect(loopOutput(outcome, "each").results).toEqual([{ no: "small" }, { yes: "big" }]);
    expect(ports.journal.checkpoints.get("yes#0")?.status).toBe("skipped");
    expect(ports.journal.checkpoints.get("no#1")?.status).toBe("skipped");
  });

  it("under continue lists failed items and goes on; under fail stops at the first and cancels the rest", async () => {
    const body = (onItemError: string, concurrency: number) =>
      workflow(
        [
          trigger(),
          loop("each", "inputs.v", { config: { onItemError, concurrency } }),
          httpGet("h", "/fail?v={{ $item }}&bad=x&ms={{ $item = 'x' ? 0 : 30 }}", "each"),
        ],
        ["start->each"],
      );
    resetServer();
    const cont = await runWorkflow({
      definition: body("continue", 2),
      inputs: { v: ["a", "x", "b"] },
      ports: createTestPorts({ http }),
    });
    expect(cont.status).toBe("succeeded");
    const out = loopOutput(cont, "each");
    expect(out.results.map((r) => (r as { body?: unknown } | null)?.body ?? null)).toEqual([
      { echo: "a" },
      null,
      { echo: "b" },
    ]);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatchObject({ index: 1, error: { nodeId: "h", code: "http_status" } });

    resetServer();
    const ports = createTestPorts({ http });
    const failed = await runWorkflow({
      definition: body("fail", 2),
      inputs: { v: ["a", "x", "b", "c", "d"] },
      ports,
    });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({ nodeId: "each" });
    expect(failed.error?.message).toMatch(/item 1 failed at "h"/);
    // Item 0 was in flight when item 1 failed: it is cancelled; items 2.. never started.
    expect(ports.journal.checkpoints.get("h#0")?.status).toBe("cancelled");
    expect(seen).toEqual(["a", "x"]);
  });

  it("succeeds over 0 items, and fails clearly on a non-array or too many items", async () => {
    const make = (items: string) =>
      workflow(
        [trigger(), loop("each", items), transform("t", "$item", { parentId: "each" })],
        ["start->each"],
      );
    const empty = await runWorkflow({ definition: make("[]"), inputs: {}, ports: createTestPorts() });
    expect(empty.status).toBe("succeeded");
    expect(loopOutput(empty, "each")).toEqual({ results: [], errors: [], count: 0 });

    const one = await runWorkflow({ definition: make("['only']"), inputs: {}, ports: createTestPorts() });
    expect(loopOutput(one, "each").results).toEqual(["only"]);

    const notArray = await runWorkflow({
      definition: make("inputs.x"),
      inputs: { x: { a: 1 } },
      ports: createTestPorts(),
    });
    expect(notArray.status).toBe("failed");
    expect(notArray.error?.message).toMatch(/items must be an array, got object/);

    const ports = createTestPorts();
    const tooMany = await runWorkflow({
      definition: make("inputs.x"),
      inputs: { x: new Array(100_001).fill(1) },
      ports,
    });
    expect(tooMany.status).toBe("failed");
    expect(tooMany.error?.message).toMatch(/100001 items; at most 100000/);
    expect(ports.events.nodeEvents().some((e) => e.nodeId === "t")).toBe(false);
  });
});

describe("loop: durability", () => {
  const def = () =>
    workflow(
      [
        trigger(),
        loop("each", "inputs.v", { config: { concurrency: 2, onItemError: "continue" } }),
        httpGet("h", "/echo?v={{ $item }}&ms=10", "each"),
      ],
      ["start->each"],
    );

  it("resumes without re-running finished items, and re-runs only the failed ones once their failure is dropped", async () => {
    resetServer();
    const ports = createTestPorts({ http });
    const first = await runWorkflow({ definition: def(), inputs: { v: ["a", "b", "c", "d"] }, ports });
    expect(first.status).toBe("succeeded");
    expect(seen).toHaveLength(4);

    // A crash mid-loop: items 1 and 3 finished, item 2 failed (continue), item 0 never checkpointed.
    const saved = Object.fromEntries(ports.journal.checkpoints);
    const crash: Record<string, NodeCheckpoint> = {
      start: saved.start!,
      "h#1": saved["h#1"]!,
      "h#3": saved["h#3"]!,
      "h#2": {
        nodeId: "h#2",
        status: "failed",
        attempts: 1,
        error: { code: "http_status", message: "HTTP 500" },
      },
      each: { nodeId: "each", status: "running", attempts: 1 },
    };
    resetServer();
    const resumed = await runWorkflow({
      definition: def(),
      inputs: { v: ["a", "b", "c", "d"] },
      ports: createTestPorts({ http, journal: createMemoryJournal(crash) }),
    });
    expect(resumed.status).toBe("succeeded");
    expect(seen).toEqual(["a"]);
    const out = loopOutput(resumed, "each");
    expect(out.errors.map((e) => e.index)).toEqual([2]);

    // `retry` drops the failed item's checkpoint: only that item runs again.
    const { "h#2": _dropped, ...retried } = crash;
    resetServer();
    const again = await runWorkflow({
      definition: def(),
      inputs: { v: ["a", "b", "c", "d"] },
      ports: createTestPorts({ http, journal: createMemoryJournal({ ...retried, "h#0": saved["h#0"]! }) }),
    });
    expect(again.status).toBe("succeeded");
    expect(seen).toEqual(["c"]);
    expect(loopOutput(again, "each").errors).toEqual([]);
  });

  it("hands off mid-loop at the soft deadline (loop pending) and finishes on resume with nothing redone", async () => {
    resetServer();
    const journal = createMemoryJournal();
    const items = Array.from({ length: 12 }, (_, i) => `i${i}`);
    // The deadline passes once the server has seen 4 requests (a clock that jumps then).
    const DEADLINE = 1_000_000;
    const clock = { ...systemClock, now: () => (seen.length >= 4 ? DEADLINE : 0) };
    const first = await runWorkflow({
      definition: def(),
      inputs: { v: items },
      ports: createTestPorts({ http, journal, clock }),
      deadline: DEADLINE,
    });
    expect(first.status).toBe("handed_off");
    expect(journal.checkpoints.get("each")?.status).toBe("pending");
    const doneBefore = [...journal.checkpoints.values()].filter(
      (c) => c.nodeId.startsWith("h#") && c.status === "succeeded",
    ).length;
    expect(doneBefore).toBeGreaterThan(0);
    expect(doneBefore).toBeLessThan(items.length);
    const firstSeen = seen.length;
    expect(firstSeen).toBe(doneBefore);

    const second = await runWorkflow({
      definition: def(),
      inputs: { v: items },
      ports: createTestPorts({ http, journal }),
    });
    expect(second.status).toBe("succeeded");
    expect(seen).toHaveLength(items.length);
    expect(new Set(seen).size).toBe(items.length);
    expect(
      loopOutput(second, "each").results.map((r) => (r as { body: { echo: string } }).body.echo),
    ).toEqual(items);
  });
});

describe("loop: validation at save", () => {
  const base = (nodes: object[], edges: object[] = []) => ({
    version: 1,
    name: "v",
    nodes: [{ id: "start", type: "trigger", config: {} }, ...nodes],
    edges: [{ source: "start", target: "each" }, ...edges],
  });
  const each = { id: "each", type: "loop", config: { items: "[1]" } };
  const child = (id: string, parentId: string) => ({
    id,
    type: "transform",
    parentId,
    config: { expression: "$item" },
  });
  const issuesOf = (input: unknown) => {
    const r = validateWorkflow(input);
    return r.ok ? [] : r.issues.map((i) => `${i.code} ${i.path}`);
  };

  it("accepts a loop with a body", () => {
    expect(issuesOf(base([each, child("t", "each")]))).toEqual([]);
  });
  it("refuses an edge across the body's boundary", () => {
    expect(issuesOf(base([each, child("t", "each")], [{ source: "start", target: "t" }]))).toContain(
      "crosses_body edges[1]",
    );
  });
  it("refuses a parentId that is not a loop, or names no node", () => {
    expect(issuesOf(base([each, child("t", "each"), child("u", "t")]))).toContain(
      "not_a_loop nodes[3].parentId",
    );
    expect(issuesOf(base([each, child("t", "each"), child("u", "nope")]))).toContain(
      "unknown_node nodes[3].parentId",
    );
  });
  it("refuses nesting deeper than three, an empty body and a trigger in a body", () => {
    const deep = base([
      each,
      { id: "l2", type: "loop", parentId: "each", config: { items: "[1]" } },
      { id: "l3", type: "loop", parentId: "l2", config: { items: "[1]" } },
      { id: "l4", type: "loop", parentId: "l3", config: { items: "[1]" } },
      child("t", "l4"),
    ]);
    expect(issuesOf(deep)).toContain("loop_too_deep nodes[4].parentId");
    expect(issuesOf(base([each]))).toContain("empty_body nodes[1]");
    expect(
      issuesOf(base([each, child("t", "each"), { id: "t2", type: "trigger", parentId: "each", config: {} }])),
    ).toContain("trigger_in_body nodes[3].parentId");
  });
});
