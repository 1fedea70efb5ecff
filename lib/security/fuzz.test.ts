import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as RUN_NODE } from "@/app/api/workflows/[id]/nodes/[nodeId]/run/route";
import { PUT } from "@/app/api/workflows/[id]/route";
import { POST as RUN } from "@/app/api/workflows/[id]/run/route";
import { POST as CREATE } from "@/app/api/workflows/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { createRandom, hostileBody } from "./testing/fuzz";

/** Change to explore; a failure prints the seed and case index that reproduce it. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);
const DEFINITION_CASES = Number(process.env.FUZZ_CASES ?? 1500);
const RUN_CASES = Number(process.env.FUZZ_RUN_CASES ?? 600);
const NODE_RUN_CASES = Number(process.env.FUZZ_NODE_RUN_CASES ?? 300);

const VALID_DEFINITIONS = [
  {
    version: 1,
    name: "Fetch and keep",
    nodes: [
      { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
      {
        id: "fetch",
        type: "http",
        name: "Fetch",
        config: { method: "GET", url: "{{ inputs.url }}", headers: { accept: "application/json" } },
        retry: { maxAttempts: 3, backoffMs: 200, backoffFactor: 2 },
        timeoutMs: 10_000,
        onError: "branch",
      },
      { id: "check", type: "condition", config: { expression: "fetch.status = 200" } },
      { id: "pick", type: "filter", config: { items: "input.body.items", where: "$item.ok" } },
      { id: "shape", type: "transform", config: { expression: "{ 'n': $count(input.items) }" } },
      { id: "out", type: "output", config: { value: "input" } },
      { id: "oops", type: "output", config: {} },
    ],
    edges: [
      { id: "e1", source: "start", target: "fetch" },
      { source: "fetch", target: "check" },
      { source: "fetch", sourceHandle: "error", target: "oops" },
      { source: "check", sourceHandle: "true", target: "pick" },
      { source: "pick", target: "shape" },
      { source: "shape", target: "out" },
    ],
    settings: { maxConcurrency: 4, timeoutMs: 600_000, mode: "auto" },
  },
  {
    version: 1,
    name: "Fan out",
    nodes: [
      { id: "t", type: "trigger", config: {} },
      { id: "a", type: "delay", config: { ms: 1 } },
      {
        id: "b",
        type: "llm",
        config: { model: "gpt-4o-mini", prompt: "Say {{ inputs.word }}", temperature: 0.2 },
      },
      { id: "m", type: "merge", config: { mode: "array" } },
      {
        id: "mail",
        type: "email",
        config: { to: ["a@example.com"], subject: "hi", text: "{{ $string(input) }}" },
      },
    ],
    edges: [
      { source: "t", target: "a" },
      { source: "t", target: "b" },
      { source: "a", target: "m" },
      { source: "b", target: "m" },
      { source: "m", target: "mail" },
    ],
  },
];

/** A workflow whose runs finish at once and touch no network. */
const RUNNABLE = {
  version: 1,
  name: "Echo",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "out", type: "output", config: { value: "inputs" } },
  ],
  edges: [{ source: "start", target: "out" }],
};
const VALID_NODE_RUN_BODIES = [{ input: { a: 1, b: ["x"] } }, { inputs: { url: "https://example.com" } }, {}];
const VALID_RUN_BODIES = [
  { inputs: { url: "https://example.com", n: 1 }, mode: "immediate" },
  { inputs: {}, mode: "immediate", idempotencyKey: "k-1", priority: 3, tags: ["a", "b"], timeoutMs: 5000 },
  { mode: "immediate", triggerId: "start" },
];

type Snapshot = { workflows: string; executions: string };

async function snapshot(database: Database): Promise<Snapshot> {
  const [w] = await query<{ s: string }>(
    database.db,
    sql`select count(*)::text || ':' || coalesce(sum(version), 0)::text || ':' || coalesce(max(updated_at)::text, '') as s from workflows`,
  );
  const [e] = await query<{ s: string }>(database.db, sql`select count(*)::text as s from executions`);
  return { workflows: w?.s ?? "", executions: e?.s ?? "" };
}

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const req = (method: string, path: string, body: string) =>
  new Request(`http://127.0.0.1${path}`, { method, headers: { "content-type": "application/json" }, body });

describe(`fuzzing the workflow and run APIs (seed ${SEED})`, () => {
  let database: Database;
  let targetId: string;
  let runnableId: string;
  const env = { ...process.env };

  beforeAll(async () => {
    process.env.IMMEDIATE_BUDGET_MS = "5000";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    const created = await CREATE(
      req("POST", "/api/workflows", JSON.stringify(VALID_DEFINITIONS[0])),
      undefined,
    );
    expect(created.status).toBe(201);
    targetId = ((await created.json()) as { id: string }).id;
    const runnable = await CREATE(req("POST", "/api/workflows", JSON.stringify(RUNNABLE)), undefined);
    runnableId = ((await runnable.json()) as { id: string }).id;
  });

  afterAll(async () => {
    // Queued runs are drained in this process: let them settle before the database goes away.
    for (let i = 0; i < 100; i++) {
      const [row] = await query<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from executions where status in ('queued', 'running')`,
      );
      if (!row || row.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    setDatabase(undefined);
    await database.close();
    process.env = env;
    resetEnv();
  });

  it("never answers 5xx or throws on hostile definitions, and a rejected one changes nothing", async () => {
    const rnd = createRandom(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < DEFINITION_CASES; i++) {
      const body = hostileBody(rnd, VALID_DEFINITIONS);
      const usePut = rnd.bool();
      const before = await snapshot(database);
      const label = `seed ${SEED} case ${i} (${usePut ? "PUT" : "POST"}): ${body.slice(0, 300)}`;
      let res: Response;
      try {
        res = usePut
          ? await PUT(req("PUT", `/api/workflows/${targetId}`, body), ctx(targetId))
          : await CREATE(req("POST", "/api/workflows", body), undefined);
      } catch (err) {
        throw new Error(`${label}\nthrew: ${String(err)}`);
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, label).toBeLessThan(500);
      const answer = (await res.json()) as { error?: { code?: string; message?: string } };
      const after = await snapshot(database);
      if (res.status >= 400) {
        expect(answer.error?.code, label).toEqual(expect.any(String));
        expect(answer.error?.message, label).toEqual(expect.any(String));
        expect(after, label).toEqual(before);
      } else {
        expect(after, label).not.toEqual(before);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    // The generator must exercise both outcomes, or the test proves little.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    console.info("definition fuzz statuses", Object.fromEntries(statuses));
  }, 600_000);

  it("never answers 5xx or throws on hostile run bodies, and a rejected one creates no execution", async () => {
    const rnd = createRandom(SEED + 1);
    const statuses = new Map<number, number>();
    for (let i = 0; i < RUN_CASES; i++) {
      const body = hostileBody(rnd, VALID_RUN_BODIES);
      const before = await snapshot(database);
      const label = `seed ${SEED + 1} case ${i} (run): ${body.slice(0, 300)}`;
      let res: Response;
      try {
        res = await RUN(req("POST", `/api/workflows/${runnableId}/run`, body), ctx(runnableId));
      } catch (err) {
        throw new Error(`${label}\nthrew: ${String(err)}`);
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, label).toBeLessThan(500);
      await res.text();
      if (res.status >= 400) expect(await snapshot(database), label).toEqual(before);
    }
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    console.info("run fuzz statuses", Object.fromEntries(statuses));
  }, 600_000);

  it("never answers 5xx or throws on hostile single-node run bodies", async () => {
    const rnd = createRandom(SEED + 2);
    const statuses = new Map<number, number>();
    const params = { params: Promise.resolve({ id: runnableId, nodeId: "out" }) };
    for (let i = 0; i < NODE_RUN_CASES; i++) {
      const body = hostileBody(rnd, VALID_NODE_RUN_BODIES);
      const label = `seed ${SEED + 2} case ${i} (node run): ${body.slice(0, 300)}`;
      const before = await snapshot(database);
      let res: Response;
      try {
        res = await RUN_NODE(req("POST", `/api/workflows/${runnableId}/nodes/out/run`, body), params);
      } catch (err) {
        throw new Error(`${label}\nthrew: ${String(err)}`);
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, label).toBeLessThan(500);
      await res.text();
      if (res.status >= 400) expect(await snapshot(database), label).toEqual(before);
    }
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    console.info("single-node run fuzz statuses", Object.fromEntries(statuses));
  }, 600_000);
});
