import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/api/errors";
import type { Database } from "@/lib/db/client";
import { executions, nodeRuns } from "@/lib/db/schema";
import { type LocalHttpServer, sendJson, startLocalHttpServer } from "@/lib/engine/testing/local-http-server";
import { resetEnv } from "@/lib/env";
import { createTestDatabase, postgresAvailable, testDbKind } from "@/lib/testing/db";
import { createWorkflow, updateWorkflow } from "@/lib/workflow-store/service";
import { controlExecution } from "./controls";
import { drainQueue } from "./drain";
import { getExecutionDetail } from "./get-execution";
import { startRun } from "./start-run";
import { waitForStatus } from "./testing/fixtures";
import { exited, spawnRunner } from "./testing/runner-process";

let database: Database;
let server: LocalHttpServer;
const hits = new Map<string, number>();

beforeAll(async () => {
  process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
  resetEnv();
  database = await createTestDatabase();
  server = await startLocalHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const ms = Number(url.searchParams.get("ms") ?? 0);
    if (ms) await new Promise((r) => setTimeout(r, ms));
    if (url.pathname.startsWith("/fail")) sendJson(res, 500, { error: "child broke" });
    else sendJson(res, 200, { path: url.pathname });
  });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

const drain = () => drainQueue(database, { budgetMs: 30_000, pruneBatch: 0 });

type Node = { id: string; type: string; config: Record<string, unknown>; parentId?: string };
const def = (
  name: string,
  nodes: Node[],
  chain: string[],
  extraEdges: { source: string; target: string }[] = [],
) => ({
  version: 1,
  name,
  nodes,
  edges: [...chain.slice(1).map((target, i) => ({ source: chain[i]!, target })), ...extraEdges],
});

/** A child: trigger → transform (doubles inputs.n) → output; optional http call first. */
async function childWorkflow(name: string, options: { http?: string; wait?: boolean } = {}) {
  const nodes: Node[] = [{ id: "start", type: "trigger", config: {} }];
  const chain = ["start"];
  if (options.http) {
    nodes.push({ id: "call", type: "http", config: { method: "GET", url: `${server.url}${options.http}` } });
    chain.push("call");
  }
  if (options.wait) {
    nodes.push({ id: "hold", type: "wait", config: { for: "webhook" } });
    chain.push("hold");
  }
  nodes.push({ id: "double", type: "transform", config: { expression: "inputs.n * 2" } });
  nodes.push({ id: "result", type: "output", config: { value: "input" } });
  chain.push("double", "result");
  return (await createWorkflow(database.db, def(name, nodes, chain))).id;
}

async function parentWorkflow(name: string, childId: string, call: Record<string, unknown> = {}) {
  return (
    await createWorkflow(
      database.db,
      def(
        name,
        [
          { id: "start", type: "trigger", config: {} },
          {
            id: "sub",
            type: "workflow",
            config: { workflowId: childId, inputs: "{ 'n': inputs.n }", ...call },
          },
          { id: "out", type: "output", config: { value: "input" } },
        ],
        ["start", "sub", "out"],
      ),
    )
  ).id;
}

/** trigger → workflow node → an http call of `ms` → its output; the call first with `callFirst`. */
async function slowParent(name: string, childId: string, options: { ms: number; callFirst?: boolean }) {
  const chain = options.callFirst ? ["start", "slow", "sub", "out"] : ["start", "sub", "slow", "out"];
  const nodes: Node[] = [
    { id: "start", type: "trigger", config: {} },
    { id: "sub", type: "workflow", config: { workflowId: childId, inputs: "{ 'n': inputs.n }" } },
    { id: "slow", type: "http", config: { method: "GET", url: `${server.url}/slow?ms=${options.ms}` } },
    { id: "out", type: "output", config: { value: "nodes.sub" } },
  ];
  return (await createWorkflow(database.db, def(name, nodes, chain))).id;
}

/** Polls `read` until it returns a row (5 s at most). */
async function waitForRow<T>(read: () => Promise<T[]>): Promise<T> {
  for (const until = Date.now() + 5_000; Date.now() < until; ) {
    const [row] = await read();
    if (row) return row;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no row within 5 s");
}

const childrenOf = (parentId: string) =>
  database.db.select().from(executions).where(eq(executions.parentExecutionId, parentId));

describe(`sub-workflows (${testDbKind})`, () => {
  it("queued: the parent waits without a runner, the child runs, the parent resumes with its outputs", async () => {
    const child = await childWorkflow("child q", { http: "/q?ms=50" });
    const parent = await parentWorkflow("parent q", child);
    const res = await startRun(database, parent, { mode: "queued", inputs: { n: 21 } });
    const id = res.body.executionId as string;
    await drain();
    const row = await waitForStatus(database.db, id);
    expect(row.status).toBe("succeeded");
    expect(row.outputs).toEqual({ out: { result: 42 } });
    const kids = await childrenOf(id);
    expect(kids).toHaveLength(1);
    expect(kids[0]).toMatchObject({ parentNodeId: "sub", depth: 1, status: "succeeded", workflowId: child });
    const detail = (await getExecutionDetail(database.db, kids[0]!.id))!;
    expect(detail).toMatchObject({ parentExecutionId: id, parentNodeId: "sub" });
  });

  it("immediate: a small child runs inline in the request", async () => {
    const child = await childWorkflow("child i");
    const parent = await parentWorkflow("parent i", child);
    const res = await startRun(database, parent, { mode: "immediate", inputs: { n: 5 } });
    expect(res.httpStatus).toBe(200);
    expect(res.body).toMatchObject({ status: "succeeded", outputs: { out: { result: 10 } } });
    const kids = await childrenOf(res.body.executionId as string);
    expect(kids).toHaveLength(1);
    // Its settle went out with its parent's: ended, with its outputs, nodes and events stored.
    expect(kids[0]).toMatchObject({
      status: "succeeded",
      mode: "immediate",
      workflowVersion: 1,
      outputs: { result: 10 },
      claims: 1,
    });
    const nodes = await database.db.select().from(nodeRuns).where(eq(nodeRuns.executionId, kids[0]!.id));
    expect(nodes.map((n) => `${n.nodeId}:${n.status}`).sort()).toEqual([
      "double:succeeded",
      "result:succeeded",
      "start:succeeded",
    ]);
    const detail = (await getExecutionDetail(database.db, kids[0]!.id))!;
    expect(detail.status).toBe("succeeded");
  });

  it("immediate, three levels inline: when the request answers, every level is stored as ended", async () => {
    const grandchild = await childWorkflow("grandchild i");
    const child = await parentWorkflow("middle i", grandchild);
    const parent = await parentWorkflow("top i", child);
    const res = await startRun(database, parent, { mode: "immediate", inputs: { n: 5 } });
    expect(res.body).toMatchObject({ status: "succeeded", outputs: { out: { out: { result: 10 } } } });
    const [middle] = await childrenOf(res.body.executionId as string);
    expect(middle).toMatchObject({ status: "succeeded", depth: 1 });
    const [bottom] = await childrenOf(middle!.id);
    expect(bottom).toMatchObject({ status: "succeeded", depth: 2, outputs: { result: 10 } });
  });

  it("an inline child shows its end while its parent still runs; a child saved after its parent started runs the version of then", async () => {
    const child = await childWorkflow("child late");
    const parent = await slowParent("parent slow", child, { ms: 800 });
    const run = startRun(database, parent, { mode: "immediate", inputs: { n: 4 } });
    // The child ended inline; its settle does not wait for the parent's (800 ms of http to go).
    const ended = await waitForRow(() =>
      database.db
        .select()
        .from(executions)
        .where(and(eq(executions.workflowId, child), eq(executions.status, "succeeded"))),
    );
    const [parentRow] = await database.db
      .select()
      .from(executions)
      .where(eq(executions.id, ended.parentExecutionId!));
    expect(parentRow?.status).toBe("running");
    expect((await run).body).toMatchObject({ status: "succeeded", outputs: { out: { result: 8 } } });

    // Saved while the next parent run is under way (before its workflow node): that run still
    // calls the version of its start.
    const slowFirst = await slowParent("parent slow first", child, { ms: 400, callFirst: true });
    const second = startRun(database, slowFirst, { mode: "immediate", inputs: { n: 4 } });
    await new Promise((r) => setTimeout(r, 150));
    const tripled = def(
      "child late",
      [
        { id: "start", type: "trigger", config: {} },
        { id: "double", type: "transform", config: { expression: "inputs.n * 3" } },
        { id: "result", type: "output", config: { value: "input" } },
      ],
      ["start", "double", "result"],
    );
    await updateWorkflow(database.db, child, tripled);
    const res = await second;
    expect(res.body).toMatchObject({ status: "succeeded", outputs: { out: { result: 8 } } });
    const [kid] = await childrenOf(res.body.executionId as string);
    expect(kid?.workflowVersion).toBe(1);
    // A run started after the save calls the new version.
    const third = await startRun(database, parent, { mode: "immediate", inputs: { n: 4 } });
    expect(third.body).toMatchObject({ status: "succeeded", outputs: { out: { result: 12 } } });
  });

  it("wait: false outputs the child's id at once; the child runs on its own", async () => {
    const child = await childWorkflow("child nw", { http: "/nw?ms=100" });
    const parent = await parentWorkflow("parent nw", child, { wait: false });
    const res = await startRun(database, parent, { mode: "immediate", inputs: { n: 1 } });
    expect(res.body.status).toBe("succeeded");
    const out = (res.body.outputs as { out: { executionId: string } }).out;
    const kids = await childrenOf(res.body.executionId as string);
    expect(kids.map((k) => k.id)).toEqual([out.executionId]);
    const kid = await waitForStatus(database.db, out.executionId);
    expect(kid.outputs).toEqual({ result: 2 });
  });

  it("a failed child fails the node with the child's error and a link to it", async () => {
    const child = await childWorkflow("child f", { http: "/fail" });
    const parent = await parentWorkflow("parent f", child);
    const res = await startRun(database, parent, { mode: "queued", inputs: { n: 1 } });
    const id = res.body.executionId as string;
    await drain();
    const row = await waitForStatus(database.db, id);
    expect(row.status).toBe("failed");
    const [kid] = await childrenOf(id);
    expect(row.error?.nodeId).toBe("sub");
    expect(row.error?.code).toBe("child_failed");
    expect(row.error?.message).toContain(`/executions/${kid!.id}`);
    expect(row.error?.message).toContain("500");
  });

  it("cancelling a parent reaches its waiting child", async () => {
    const child = await childWorkflow("child c", { wait: true });
    const parent = await parentWorkflow("parent c", child);
    const res = await startRun(database, parent, { mode: "queued", inputs: { n: 1 } });
    const id = res.body.executionId as string;
    await drain();
    await waitForStatus(database.db, id, ["waiting"]);
    const [kid] = await childrenOf(id);
    await waitForStatus(database.db, kid!.id, ["waiting"]);
    await controlExecution(database, id, "cancel");
    expect((await waitForStatus(database.db, id)).status).toBe("cancelled");
    expect((await waitForStatus(database.db, kid!.id)).status).toBe("cancelled");
  });

  it("nesting deeper than 10 fails the node, whatever the ids are computed to be", async () => {
    const self = (
      await createWorkflow(
        database.db,
        def("recursive", [{ id: "start", type: "trigger", config: {} }], ["start"]),
      )
    ).id;
    await updateWorkflow(
      database.db,
      self,
      def(
        "recursive",
        [
          { id: "start", type: "trigger", config: {} },
          { id: "sub", type: "workflow", config: { workflowId: "{{ inputs.self }}", inputs: "inputs" } },
        ],
        ["start", "sub"],
      ),
    );
    const res = await startRun(database, self, { mode: "queued", inputs: { self } });
    const id = res.body.executionId as string;
    await drain();
    const row = await waitForStatus(database.db, id);
    expect(row.status).toBe("failed");
    expect(row.error?.message).toMatch(/nest more than 10 levels/);
    const all = await database.db.select().from(executions).where(eq(executions.workflowId, self));
    expect(Math.max(...all.map((e) => e.depth))).toBe(10);
    expect(all).toHaveLength(11);
  });

  it("save refuses a static cycle, an unknown workflow and an unknown trigger, naming the field", async () => {
    const a = await childWorkflow("A");
    const b = await parentWorkflow("B", a);
    const err = await updateWorkflow(
      database.db,
      a,
      def(
        "A",
        [
          { id: "start", type: "trigger", config: {} },
          { id: "callB", type: "workflow", config: { workflowId: b } },
        ],
        ["start", "callB"],
      ),
    ).catch((e: unknown) => e as AppError);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(422);
    expect((err as AppError).message).toBe("calls would loop: A → B → A");
    expect((err as AppError).issues?.[0]?.path).toBe("nodes[1].config.workflowId");

    const missing = await parentWorkflow("C", "no-such-workflow").catch((e: unknown) => e as AppError);
    expect((missing as AppError).issues?.[0]?.path).toBe("nodes[1].config.workflowId");
    const badTrigger = await parentWorkflow("D", a, { triggerId: "nope" }).catch(
      (e: unknown) => e as AppError,
    );
    expect((badTrigger as AppError).issues?.[0]?.path).toBe("nodes[1].config.triggerId");
  });

  it("a loop maps a workflow over 100 items at concurrency 10, each child started exactly once", async () => {
    const child = await childWorkflow("child map", { http: "/map?ms=5" });
    const parent = (
      await createWorkflow(
        database.db,
        def(
          "map",
          [
            { id: "start", type: "trigger", config: {} },
            { id: "each", type: "loop", config: { items: "inputs.items", concurrency: 10 } },
            {
              id: "sub",
              type: "workflow",
              parentId: "each",
              config: { workflowId: child, inputs: "{ 'n': $item }" },
            },
            {
              id: "out",
              type: "output",
              config: { value: "$map(input.results, function($r) { $r.result })" },
            },
          ],
          ["start", "each", "out"],
        ),
      )
    ).id;
    const items = Array.from({ length: 100 }, (_, i) => i);
    hits.set("/map", 0);
    const res = await startRun(database, parent, { mode: "queued", inputs: { items } });
    const id = res.body.executionId as string;
    for (let i = 0; i < 20; i++) {
      await drain();
      const [row] = await database.db.select().from(executions).where(eq(executions.id, id));
      if (row && ["succeeded", "failed"].includes(row.status)) break;
    }
    const row = await waitForStatus(database.db, id, ["succeeded", "failed"], 60_000);
    expect(row.error).toBeNull();
    expect(row.outputs).toEqual({ out: items.map((n) => n * 2) });
    const kids = await childrenOf(id);
    expect(kids).toHaveLength(100);
    expect(new Set(kids.map((k) => k.parentKey)).size).toBe(100);
    expect(hits.get("/map")).toBe(100);
  }, 120_000);
});

const LEASE_MS = 1500;
const pgEnabled = testDbKind === "postgres" && (await postgresAvailable());

describe("sub-workflow crash safety (real Postgres, runner in a child process)", () => {
  it.skipIf(!pgEnabled)(
    "a SIGKILL between child start and the parent's checkpoint starts no second child",
    async () => {
      if (!("url" in database)) throw new Error("postgres only");
      const child = await childWorkflow("child kill", { http: "/kill?ms=300" });
      const parent = await parentWorkflow("parent kill", child);
      const res = await startRun(database, parent, { mode: "queued", inputs: { n: 4 } });
      const id = res.body.executionId as string;
      const proc = spawnRunner(database.url, LEASE_MS);
      const end = Date.now() + 60_000;
      while ((await childrenOf(id)).length === 0) {
        if (Date.now() > end) throw new Error("the child never started");
        await new Promise((r) => setTimeout(r, 2));
      }
      proc.kill("SIGKILL");
      await exited(proc);
      await new Promise((r) => setTimeout(r, LEASE_MS + 200));
      for (let i = 0; i < 5; i++) {
        await drainQueue(database, { leaseMs: LEASE_MS, budgetMs: 30_000, pruneBatch: 0 });
        const [row] = await database.db.select().from(executions).where(eq(executions.id, id));
        if (row?.status === "succeeded") break;
      }
      const row = await waitForStatus(database.db, id);
      expect(row.status).toBe("succeeded");
      expect(row.outputs).toEqual({ out: { result: 8 } });
      expect(await childrenOf(id)).toHaveLength(1);
    },
    90_000,
  );
});

describe(`sub-workflows: waits and single-node play (${testDbKind})`, () => {
  it("a parent waiting on a waiting child resumes when the child is resumed", async () => {
    const { resumeByToken, waitToken, waitTokenKey } = await import("./waits");
    const child = await childWorkflow("child w", { wait: true });
    const parent = await parentWorkflow("parent w", child);
    const res = await startRun(database, parent, { mode: "queued", inputs: { n: 3 } });
    const id = res.body.executionId as string;
    await drain();
    await waitForStatus(database.db, id, ["waiting"]);
    const [kid] = await childrenOf(id);
    await waitForStatus(database.db, kid!.id, ["waiting"]);
    await resumeByToken(database, waitToken(await waitTokenKey(database.db), kid!.id, "hold"), { go: true });
    await drain();
    await waitForStatus(database.db, kid!.id);
    await drain();
    const row = await waitForStatus(database.db, id);
    expect(row.status).toBe("succeeded");
    expect(row.outputs).toEqual({ out: { result: 6 } });
  });

  it("cancelling a waiting child directly wakes its parent at once, which fails with the child's end", async () => {
    const child = await childWorkflow("child cancelled", { wait: true });
    const parent = await parentWorkflow("parent of cancelled", child);
    const id = (await startRun(database, parent, { mode: "queued", inputs: { n: 3 } })).body
      .executionId as string;
    await drain();
    await waitForStatus(database.db, id, ["waiting"]);
    const [kid] = await childrenOf(id);
    await waitForStatus(database.db, kid!.id, ["waiting"]);
    await controlExecution(database, kid!.id, "cancel");
    // Queued again (and picked up by a kicked drain) by the cancel itself, not by a later sweep.
    const [woken] = await database.db.select().from(executions).where(eq(executions.id, id));
    expect(woken?.status).not.toBe("waiting");
    await drain();
    const row = await waitForStatus(database.db, id);
    expect(row.status).toBe("failed");
    expect(row.error).toMatchObject({ nodeId: "sub" });
  });

  it("single-node play on a workflow node runs the child for real and shows its outputs", async () => {
    const { runNodeOfWorkflow } = await import("./run-single-node");
    const child = await childWorkflow("child play");
    const parent = await parentWorkflow("parent play", child);
    const result = await runNodeOfWorkflow(database, parent, "sub", { input: { n: 9 }, inputs: { n: 9 } });
    expect(result).toMatchObject({ status: "succeeded", output: { result: 18 } });
  });
});

describe(`sub-workflows and share links (${testDbKind})`, () => {
  it("a parent's share link reaches its children, redacted, and nothing else", async () => {
    const { shareExecution } = await import("./shares");
    const { getSharedChild } = await import("./share-redaction");
    const child = await childWorkflow("child share");
    const parent = await parentWorkflow("parent share", child);
    const res = await startRun(database, parent, { mode: "immediate", inputs: { n: 2 } });
    const id = res.body.executionId as string;
    const [kid] = await childrenOf(id);
    const { token } = await shareExecution(database.db, id);
    expect((await getSharedChild(database, token, kid!.id))?.outputs).toEqual({ result: 4 });
    // Not through another execution's link, and not the shared execution itself.
    const other = await startRun(database, child, { mode: "immediate", inputs: { n: 1 } });
    expect(await getSharedChild(database, token, other.body.executionId as string)).toBeUndefined();
    expect(await getSharedChild(database, token, id)).toBeUndefined();
    expect(await getSharedChild(database, "no-such-token-000000000000", kid!.id)).toBeUndefined();
  });
});
