import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as GET_EXECUTION } from "@/app/api/executions/[id]/route";
import { POST as RUN } from "@/app/api/workflows/[id]/run/route";
import { POST as CREATE } from "@/app/api/workflows/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { capRunOutputs, DEFAULT_MAX_OUTPUT_BYTES, isTruncatedOutput } from "./limits";

/** A node whose output is over the cap is stored, served and streamed as a visible marker. */
describe("node output size cap in a real run", () => {
  let database: Database;
  let server: http.Server;
  let port = 0;
  const env = { ...process.env };
  const big = "y".repeat(DEFAULT_MAX_OUTPUT_BYTES + 1000);

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(big);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    port = (server.address() as AddressInfo).port;
    process.env.HTTP_ALLOWED_HOSTS = `127.0.0.1:${port}`;
    process.env.IMMEDIATE_BUDGET_MS = "20000";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    process.env = env;
    resetEnv();
  });

  it("replaces the big output with { __truncated, bytes, preview } and keeps small ones", async () => {
    const definition = {
      version: 1,
      name: "Big",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "fetch", type: "http", config: { method: "GET", url: `http://127.0.0.1:${port}/` } },
        { id: "size", type: "transform", config: { expression: "$length(input.body)" } },
      ],
      edges: [
        { source: "start", target: "fetch" },
        { source: "fetch", target: "size" },
      ],
    };
    const created = await CREATE(
      new Request("http://127.0.0.1/api/workflows", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(definition),
      }),
      undefined,
    );
    const { id } = (await created.json()) as { id: string };
    const run = await RUN(
      new Request(`http://127.0.0.1/api/workflows/${id}/run`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"mode":"immediate"}',
      }),
      { params: Promise.resolve({ id }) },
    );
    expect(run.status).toBe(200);
    const { executionId } = (await run.json()) as { executionId: string };

    const detail = (await (
      await GET_EXECUTION(new Request("http://127.0.0.1/"), { params: Promise.resolve({ id: executionId }) })
    ).json()) as { nodes: Record<string, { status: string; output: unknown }> };
    // Downstream nodes saw the whole body; only what is stored is capped.
    expect(detail.nodes.size?.output).toBe(big.length);
    expect(detail.nodes.fetch?.status).toBe("succeeded");
    const marker = detail.nodes.fetch?.output as { __truncated: boolean; bytes: number; preview: string };
    expect(marker.__truncated).toBe(true);
    expect(marker.bytes).toBeGreaterThan(DEFAULT_MAX_OUTPUT_BYTES);
    expect(marker.preview.startsWith('{"status":200')).toBe(true);

    const [row] = await query<{ n: number }>(
      database.db,
      sql`select max(octet_length(payload::text))::int as n from execution_events where execution_id = ${executionId}`,
    );
    expect(row?.n).toBeLessThan(DEFAULT_MAX_OUTPUT_BYTES);
    const [stored] = await query<{ n: number }>(
      database.db,
      sql`select max(octet_length(output::text))::int as n from node_runs where execution_id = ${executionId}`,
    );
    expect(stored?.n).toBeLessThan(DEFAULT_MAX_OUTPUT_BYTES);
  });

  it("stores and answers a run's outputs capped: a 20 MB transform output, the run succeeds", async () => {
    const definition = {
      version: 1,
      name: "Huge",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "big", type: "transform", config: { expression: '[1..20].($pad("", 1000000, "z"))' } },
        { id: "small", type: "transform", config: { expression: '"tiny"' } },
        { id: "out", type: "output", config: {} },
        { id: "out2", type: "output", config: {} },
      ],
      edges: [
        { source: "start", target: "big" },
        { source: "start", target: "small" },
        { source: "big", target: "out" },
        { source: "small", target: "out2" },
      ],
    };
    const created = await CREATE(
      new Request("http://127.0.0.1/api/workflows", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(definition),
      }),
      undefined,
    );
    const { id } = (await created.json()) as { id: string };
    const run = await RUN(
      new Request(`http://127.0.0.1/api/workflows/${id}/run`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"mode":"immediate"}',
      }),
      { params: Promise.resolve({ id }) },
    );
    expect(run.status).toBe(200);
    const text = await run.text();
    // The answer carries outputs and nodes, each capped: far below the 20 MB produced.
    expect(text.length).toBeLessThan(4 * DEFAULT_MAX_OUTPUT_BYTES);
    const answer = JSON.parse(text) as {
      executionId: string;
      status: string;
      outputs: Record<string, unknown>;
      nodes: Record<string, { output: unknown }>;
    };
    expect(answer.status, text.slice(0, 2000)).toBe("succeeded");
    expect(answer.outputs.out2).toBe("tiny");
    const marker = answer.outputs.out as { __truncated: boolean; bytes: number; preview: string };
    expect(isTruncatedOutput(marker)).toBe(true);
    expect(marker.bytes).toBeGreaterThanOrEqual(20_000_000);
    expect(marker.preview.startsWith('["zzz')).toBe(true);
    expect(isTruncatedOutput(answer.nodes.big?.output)).toBe(true);

    const [stored] = await query<{ n: number; status: string; small: unknown; truncated: boolean }>(
      database.db,
      sql`select octet_length(outputs::text)::int as n, status, outputs->'out2' as small,
          (outputs->'out'->>'__truncated')::boolean as truncated
        from executions where id = ${answer.executionId}`,
    );
    expect(stored?.status).toBe("succeeded");
    expect(stored?.n).toBeLessThan(DEFAULT_MAX_OUTPUT_BYTES);
    expect(stored?.small).toBe("tiny");
    expect(stored?.truncated).toBe(true);
  });
});

describe("capRunOutputs", () => {
  it("keeps small outputs as they are, and replaces the largest until the whole fits", () => {
    const small = { a: 1, b: "two" };
    expect(capRunOutputs(small, 1000)).toBe(small);
    const capped = capRunOutputs({ a: "x".repeat(400), b: "y".repeat(700), c: "z" }, 1000);
    expect(capped.c).toBe("z");
    expect(capped.a).toBe("x".repeat(400));
    expect(isTruncatedOutput(capped.b)).toBe(true);
    expect(JSON.stringify(capped).length).toBeLessThan(1000);
    expect(isTruncatedOutput(capRunOutputs("w".repeat(2000), 1000))).toBe(true);
  });
});
